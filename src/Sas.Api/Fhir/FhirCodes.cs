namespace Sas.Api.Fhir;

/// <summary>
/// Profiles, code systems and codes of the ANS SAS guide v1.2.0 and of the ANS test kit. Each resource
/// names the guide's canonical profile and, where the test kit still selects resources by them, the
/// profile URLs of its first version (<c>http://sas.fr/...</c>), so both find what they look for.
/// </summary>
public static class FhirCodes
{
    public const string Ig = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/";
    private const string Legacy = "http://sas.fr/fhir/StructureDefinition/";

    public static readonly string[] SlotProfiles = [Legacy + "FrSlotAgregateur", Ig + "sas-slot-aggregator"];
    public const string CptsSlotProfile = Ig + "sas-cpts-slot-aggregator";
    public static readonly string[] ScheduleProfiles = [Legacy + "FrScheduleAgregateur", Ig + "sas-schedule-aggregator"];
    public static readonly string[] PractitionerProfiles = [Legacy + "FrPractitionerAgregateur", Ig + "sas-practitioner-aggregator"];
    public static readonly string[] PractitionerRoleProfiles = [Legacy + "FrPractitionerRoleExerciceAgregateur", Ig + "sas-practitioner-role-exercice-aggregator"];
    public const string LocationProfile = Ig + "sas-location-aggregator";
    public const string HealthcareServiceProfile = Ig + "sas-cpts-healthcareservice-aggregator";
    public const string OrganizationProfile = Ig + "sas-cpts-organization-aggregator";
    public const string AppointmentProfile = Ig + "sas-appointment";

    /// <summary>TRE_R314 TypeCreneau: who may book the slot.</summary>
    public const string SlotTypeSystem = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau";
    public const string SlotTypeSnp = "SNP";
    public const string SlotTypeCpts = "CPTS";

    public const string ActCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    public const string AppointmentTypeSystem = "http://terminology.hl7.org/CodeSystem/v2-0276";
    public const string SpecialtySystem = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale";
    public const string GeneralMedicine = "SM54";
    /// <summary>TRE_R66 CategorieEtablissement 604: CPTS, the service type that ties a slot to its CPTS.</summary>
    public const string EstablishmentCategorySystem = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement";
    public const string CptsCategory = "604";
    /// <summary>The R5 Slot.serviceType reference, carried in R4 as an extension.</summary>
    public const string ServiceTypeReferenceExtension = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType";

    public const string IdentifierTypeSystem = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203";
    public const string Idnps = "IDNPS";
    public const string Idnst = "IDNST";
    public const string Intrn = "INTRN";
    public const string IdnpsSystem = Sas.Domain.Identifiers.Rpps.IdnpsSystem;
    public const string IdnstSystem = "urn:oid:1.2.250.1.71.4.2.2";

    public const string AppointmentOperatorExtension = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-appointment-operator";

    public const string ContentType = "application/fhir+json";
}
