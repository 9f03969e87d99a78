namespace Sas.Api.Fhir;

/// <summary>
/// Profiles, code systems and codes of the ANS SAS guide as its package <c>ans.fhir.fr.sas</c> 1.1.0 names
/// them: the package the national test kit validates with (<c>tests/data/fhir</c>). Each resource carries
/// exactly one profile, the one the guide names for its flow: the kit selects resources by comparing
/// <c>meta.profile</c> to one URL. The individual-GP flow's profiles kept their first-version URLs
/// (<c>http://sas.fr/...</c>); the CPTS flow's are under the guide's canonical base.
/// </summary>
public static class FhirCodes
{
    public const string Ig = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/";
    private const string SasFr = "http://sas.fr/fhir/StructureDefinition/";

    public const string BundleProfile = SasFr + "BundleAgregateur";
    public const string SlotProfile = SasFr + "FrSlotAgregateur";
    public const string ScheduleProfile = SasFr + "FrScheduleAgregateur";
    public const string PractitionerProfile = SasFr + "FrPractitionerAgregateur";
    public const string PractitionerRoleProfile = SasFr + "FrPractitionerRoleExerciceAgregateur";
    public const string LocationProfile = SasFr + "FrLocationAgregateur";
    public const string AppointmentProfile = SasFr + "FrAppointmentSAS";

    public const string CptsBundleProfile = Ig + "sas-cpts-bundle-aggregator";
    public const string CptsSlotProfile = Ig + "sas-cpts-slot-aggregator";
    public const string HealthcareServiceProfile = Ig + "sas-cpts-healthcareservice-aggregator";
    public const string OrganizationProfile = Ig + "sas-cpts-organization-aggregator";

    /// <summary>A regulator's account, created and updated by the platform (flow INT_R02).</summary>
    public const string RegulatorProfile = Ig + "FrPractitionerRegul";

    /// <summary>The guide's capability statement for an individual-GP agenda editor, which ours instantiates.</summary>
    public const string EditorCapabilityStatement = "https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireAgenda-PsIndiv";

    /// <summary>TRE_R314 TypeCreneau: who may book the slot.</summary>
    public const string SlotTypeSystem = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau";
    public const string SlotTypeSnp = "SNP";
    public const string SlotTypeCpts = "CPTS";

    public const string ActCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    public const string AppointmentTypeSystem = "http://terminology.hl7.org/CodeSystem/v2-0276";
    public const string SpecialtySystem = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale";
    public const string GeneralMedicine = Sas.Domain.Professions.Professions.GeneralMedicine;

    /// <summary>TRE_G15, the professions of health (10 médecin, 60 infirmier…): a practitioner role's code.</summary>
    public const string ProfessionSystem = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante";
    /// <summary>TRE_R66 CategorieEtablissement 604: CPTS, the service type that ties a slot to its CPTS.</summary>
    public const string EstablishmentCategorySystem = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement";
    public const string CptsCategory = "604";
    /// <summary>The R5 Slot.serviceType reference, carried in R4 as an extension.</summary>
    public const string ServiceTypeReferenceExtension = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType";

    /// <summary>FR Core's identifier types of people (IDNPS, INTRN) and of a practitioner role's organization (IDNST).</summary>
    public const string IdentifierTypeSystem = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203";
    /// <summary>
    /// FR Core's identifier types of places and structures: 1.1.0 requires it for the CPTS Organization's
    /// IDNST and for a Location's internal identifier (version 1.2.0 of the guide moves the Organization to
    /// FR Core 2's <c>fr-core-cs-v2-0203</c>; the kit still validates with 1.1.0).
    /// </summary>
    public const string LocationIdentifierTypeSystem = "http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type";
    public const string Idnps = "IDNPS";
    public const string Idnst = "IDNST";
    public const string Intrn = "INTRN";
    public const string IdnpsSystem = Sas.Domain.Identifiers.Rpps.IdnpsSystem;
    public const string IdnstSystem = "urn:oid:1.2.250.1.71.4.2.2";
    /// <summary>The SAS platform's own identifiers (its regulators' technical ids, the <c>meta.source</c> of what it sends).</summary>
    public const string SasPlatformSystem = "urn:oid:1.2.250.1.213.3.6";

    /// <summary>The operator extension as FrAppointmentSAS 1.1.0 slices it (FR Core 1.x's URL, 1..1).</summary>
    public const string AppointmentOperatorExtension = "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator";

    public const string ContentType = "application/fhir+json";
}
