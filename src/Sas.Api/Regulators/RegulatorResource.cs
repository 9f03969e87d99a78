using Hl7.Fhir.Model;
using Sas.Api.Fhir;

namespace Sas.Api.Regulators;

/// <summary>
/// A regulator's account as FHIR: the guide's <c>FrPractitionerRegul</c>, read from what the platform sends and
/// written back as stored. The rules are the profile's, and the kit's: an IDNPS is typed IDNPS under the RPPS/ADELI
/// OID, the platform's technical id INTRN under its own OID; a family and one given name; an email; active.
/// </summary>
public static class RegulatorResource
{
    private const int MaxName = 200, MaxEmail = 320;

    /// <summary>The account the resource describes, or what is wrong with it (each issue names its element).</summary>
    public static (RegulatorRow? Row, IReadOnlyList<SearchIssue> Issues) Read(Practitioner p)
    {
        var issues = new List<SearchIssue>();
        string? idnps = null, sasId = null;
        if (p.Identifier.Count == 0) issues.Add(new("Practitioner.identifier", "is required: the regulator's IDNPS or the SAS platform's technical id"));
        for (var i = 0; i < p.Identifier.Count; i++)
        {
            var id = p.Identifier[i];
            var at = $"Practitioner.identifier[{i}]";
            var type = id.Type?.Coding.FirstOrDefault(c => c.System == FhirCodes.IdentifierTypeSystem)?.Code;
            if (string.IsNullOrWhiteSpace(id.Value) || !Sas.Domain.Bookings.BookingRules.IsOperatorId(id.Value))
                issues.Add(new(at + ".value", "is required: 1 to 64 letters, digits, '/', '-' or '.'"));
            else if (id.System == FhirCodes.IdnpsSystem && type == FhirCodes.Idnps && idnps is null) idnps = id.Value;
            else if (id.System == FhirCodes.SasPlatformSystem && type == FhirCodes.Intrn && sasId is null) sasId = id.Value;
            else issues.Add(new(at, $"must be an IDNPS (type IDNPS, system {FhirCodes.IdnpsSystem}) or the platform's id (type INTRN, system {FhirCodes.SasPlatformSystem}), each at most once"));
        }
        var name = p.Name.FirstOrDefault();
        var family = name?.Family?.Trim();
        var given = name?.Given.FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(family) || family.Length > MaxName) issues.Add(new("Practitioner.name.family", $"is required: 1 to {MaxName} characters"));
        if (string.IsNullOrEmpty(given) || given.Length > MaxName || name!.Given.Count() > 1) issues.Add(new("Practitioner.name.given", $"is required: one given name of 1 to {MaxName} characters"));
        var email = p.Telecom.FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Email)?.Value?.Trim();
        if (p.Telecom.Any(t => t.System != ContactPoint.ContactPointSystem.Email)) issues.Add(new("Practitioner.telecom.system", "must be email"));
        else if (!IsEmail(email)) issues.Add(new("Practitioner.telecom", $"is required: the regulator's email, at most {MaxEmail} characters"));
        if (p.Active is null) issues.Add(new("Practitioner.active", "is required: true while the regulator may book"));
        if (issues.Count > 0) return (null, issues);
        // Emails are compared without case: two accounts for Jane@x and jane@x would be the same person.
        return (new RegulatorRow("", idnps, sasId, family!, given!, email!.ToLowerInvariant(), p.Active == true ? 1 : 0, 0, default), issues);
    }

    private static bool IsEmail(string? email) =>
        email is { Length: > 2 and <= MaxEmail } && email.IndexOf('@') is > 0 and var at && at < email.Length - 1 && !email.Any(char.IsWhiteSpace);

    /// <summary>The account as stored, with its version: what the platform reads back.</summary>
    public static Practitioner Write(RegulatorRow r)
    {
        var p = new Practitioner
        {
            Id = r.Id,
            Meta = new Meta
            {
                Profile = [FhirCodes.RegulatorProfile],
                VersionId = r.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                LastUpdated = new DateTimeOffset(DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc)),
            },
            Active = r.Active == 1,
            Name = [new HumanName { Family = r.Family, Given = [r.Given] }],
            Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, r.Email)],
        };
        if (r.Idnps is not null) p.Identifier.Add(FhirIdentifiers.Typed(FhirCodes.Idnps, FhirCodes.IdnpsSystem, r.Idnps));
        if (r.SasId is not null) p.Identifier.Add(FhirIdentifiers.Typed(FhirCodes.Intrn, FhirCodes.SasPlatformSystem, r.SasId));
        return p;
    }
}
