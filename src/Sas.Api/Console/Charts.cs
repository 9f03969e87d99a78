using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Sas.Api.Console;

/// <summary>
/// Charts drawn on the server as SVG, accessible: a title and a description, labelled axes, each bar named, and the
/// same figures in a table beside it for screen readers and for copying. No script, no library, no build step.
/// </summary>
public static class Charts
{
    private static CultureInfo French => ConsoleSetup.French;

    /// <summary>Vertical bars of a share (0–1) per label, with the y axis in percent.</summary>
    public static IHtmlContent Bars(string id, string title, string description, IReadOnlyList<(string Label, double? Value)> bars)
    {
        const int width = 720, height = 260, left = 48, bottom = 40, top = 16;
        var plotHeight = height - bottom - top;
        var step = bars.Count == 0 ? 0 : (width - left - 8) / (double)bars.Count;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="{id}-title">{Encode(title)}</title><desc id="{id}-desc">{Encode(description)}</desc>""");
        foreach (var tick in new[] { 0, 25, 50, 75, 100 })
        {
            var y = top + plotHeight * (1 - tick / 100.0);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{left}" x2="{width - 4}" y1="{y:0.#}" y2="{y:0.#}" stroke="#c9c9c9"/><text x="{left - 6}" y="{y + 4:0.#}" text-anchor="end">{tick} %</text>""");
        }
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var x = left + i * step + step * 0.15;
            var h = plotHeight * Math.Clamp(value ?? 0, 0, 1);
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x:0.#}" y="{top + plotHeight - h:0.#}" width="{step * 0.7:0.#}" height="{h:0.#}" fill="#0b4f8a"><title>{Encode(label)} : {Encode(value is { } v ? v.ToString("P0", French) : "aucun créneau offert")}</title></rect>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + step * 0.35:0.#}" y="{height - bottom + 16}" text-anchor="middle">{Encode(label)}</text>""");
        }
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{left}" y="{height - 4}">{Encode(description)}</text></svg>""");
        return new HtmlString(svg.ToString());
    }

    /// <summary>
    /// The background of a heat-map cell: paler for fewer filled slots (the figures are in the cell as text). Two bands,
    /// light under black text and dark under white, so every cell keeps a 4.5:1 contrast (mid-blues pass with neither).
    /// </summary>
    public static string Heat(double? rate) => rate is not { } r ? "#ffffff"
        : r <= 0.6 ? $"hsl(210, 70%, {97 - 35 * Math.Clamp(r, 0, 0.6) / 0.6:0}%)"
        : $"hsl(210, 70%, {38 - 13 * (Math.Clamp(r, 0.6, 1) - 0.6) / 0.4:0}%)";

    /// <summary>Text on a heat cell: white on the dark band.</summary>
    public static string HeatText(double? rate) => rate is { } r && r > 0.6 ? "#ffffff" : "#000000";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
