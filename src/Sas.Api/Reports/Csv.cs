using System.Globalization;
using System.Text;

namespace Sas.Api.Reports;

/// <summary>
/// Reports as CSV: RFC 4180 (comma, dot decimals, CRLF, quotes where needed), or what French Excel
/// opens directly: semicolons, decimal commas, and a UTF-8 byte order mark so accents survive.
/// </summary>
public sealed class Csv(bool excelFr)
{
    public const string MediaType = "text/csv";

    private readonly char separator = excelFr ? ';' : ',';
    // Only the decimal separator differs; built by hand so the output does not depend on ICU's locale data.
    private readonly NumberFormatInfo culture = excelFr ? new NumberFormatInfo { NumberDecimalSeparator = ",", NegativeSign = "-" } : NumberFormatInfo.InvariantInfo;
    private readonly StringBuilder text = new(excelFr ? "\uFEFF" : "");

    public Csv Row(params object?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) text.Append(separator);
            var cell = Format(cells[i]);
            // OWASP's rule against CSV injection: text a spreadsheet would read as a formula (a GP's name typed as
            // "=HYPERLINK(…)", say) starts with a quote, which shows it as text. Numbers are written by us, not quoted.
            if (cells[i] is string && cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r') cell = "'" + cell;
            text.Append(Escape(cell));
        }
        text.Append("\r\n");
        return this;
    }

    public override string ToString() => text.ToString();

    private string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => d.ToString("0.####", culture),
        decimal m => m.ToString("0.##", culture),
        IFormattable f => f.ToString(null, culture),
        _ => value.ToString() ?? "",
    };

    private string Escape(string cell) =>
        cell.IndexOfAny([separator, '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;
}
