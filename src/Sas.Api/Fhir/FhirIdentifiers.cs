using Hl7.Fhir.Model;

namespace Sas.Api.Fhir;

/// <summary>National identifiers as the guide writes them: a system, a value and a fr-v2-0203 type.</summary>
public static class FhirIdentifiers
{
    public static Identifier Typed(string type, string system, string value) => Typed(FhirCodes.IdentifierTypeSystem, type, system, value);

    public static Identifier Typed(string typeSystem, string type, string system, string value) => new(system, value)
    {
        Type = new CodeableConcept { Coding = [new Coding(typeSystem, type)] },
    };

    /// <summary>A GP's IDNPS: <c>8</c> + RPPS.</summary>
    public static Identifier Practitioner(string rpps) => Typed(FhirCodes.Idnps, FhirCodes.IdnpsSystem, Sas.Domain.Identifiers.ProfessionalId.ToIdnps(rpps));

}
