using Hl7.Fhir.Model;

namespace Sas.Api.Fhir;

/// <summary>National identifiers as the guide writes them: a system, a value and a fr-v2-0203 type.</summary>
public static class FhirIdentifiers
{
    public static Identifier Typed(string type, string system, string value) => new(system, value)
    {
        Type = new CodeableConcept(FhirCodes.IdentifierTypeSystem, type),
    };

    /// <summary>A GP's IDNPS: <c>8</c> + RPPS.</summary>
    public static Identifier Practitioner(string rpps) => Typed(FhirCodes.Idnps, FhirCodes.IdnpsSystem, Sas.Domain.Identifiers.Rpps.ToIdnps(rpps));

    /// <summary>A structure's IDNST: <c>1</c> + FINESS.</summary>
    public static Identifier Structure(string finess) => Typed(FhirCodes.Idnst, FhirCodes.IdnstSystem, "1" + finess);
}
