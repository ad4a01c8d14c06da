"""Names of the SNOMED CT type and speciality codes SOR uses (docs/FORMATS.md, "Type codes").

SORClassifications holds these names when a SOR2 zip is opened; XML files carry
only the codes, so these tables are the fallback there (and for the generator).
"""

from __future__ import annotations

OWNER_TYPES: dict[str, str] = {
    "550881000005103": "Region",
    "547211000005108": "Kommune",
    "398070004": "Stat",
    "550891000005100": "Privat",
}

INSTITUTION_TYPES: dict[str, str] = {
    "22232009": "Hospital",
    "264372000": "Apotek",
    "394761003": "Almen lægepraksis",
    "550671000005100": "Speciallægepraksis",
    "550681000005102": "Tandlægepraksis",
    "550691000005104": "Tandplejeklinik",
    "547011000005103": "Fysioterapiklinik",
    "550861000005106": "Fysioterapi- og ergoterapiklinik",
    "546821000005103": "Ergoterapiklinik",
    "554061000005105": "Fodterapeutklinik",
    "550641000005106": "Kiropraktorklinik",
    "550631000005103": "Jordemoderklinik",
    "550711000005101": "Psykologisk rådgivningsklinik",
    "550651000005108": "Lægelaboratorium",
    "550661000005105": "Lægevagt",
    "42665001": "Plejehjem",
    "284546000": "Hospice",
    "264361005": "Sundhedscenter",
    "554041000005106": "Sundhedsforvaltning",
    "554821000005109": "Hjemmeplejeenhed",
    "550621000005101": "Hjemmesygeplejeenhed",
    "554021000005101": "Sundhedsplejen",
    "557501000005109": "Apoteksfilial",
    "554211000005102": "Præhospitalsenhed",
    "554411000005101": "Jobcenter",
    "554851000005102": "Asylcenter",
}

UNIT_TYPES: dict[str, str] = {
    "550811000005108": "Administrativ enhed",
    "550851000005109": "Klinisk enhed",
    "550821000005102": "Service enhed",
    "550831000005104": "Uddannelsesenhed",
    "550841000005107": "Forskningsenhed",
    "550871000005101": "Akut modtage enhed",
    "225728007": "Skadestue",
    "309904001": "Intensiv enhed",
    "309964003": "Billeddiagnostisk enhed",
    "551611000005102": "Operationsgang",
    "554071000005100": "Sygehusapotek",
    "309939001": "Palliativ enhed",
    "554871000005105": "Psykiatrienhed",
    "2104671000005110": "Terapienhed",
    "726": "KONVAFD",
}

SPECIALITIES: dict[str, str] = {
    "408443003": "almen medicin",
    "394577000": "anæstesiologi",
    "394821009": "arbejdsmedicin",
    "394588006": "børne- og ungdomspsykiatri",
    "394582007": "dermato-venerologi",
    "394914008": "diagnostisk radiologi",
    "394583002": "endokrinologi",
    "394811001": "geriatri",
    "394585009": "gynækologi og obstetrik",
    "408472002": "hepatologi",
    "394803006": "hæmatologi",
    "394807007": "infektionsmedicin",
    "419192003": "intern medicin",
    "394579002": "kardiologi",
    "408463005": "karkirurgi",
    "394609007": "kirurgi",
    "551411000005104": "kirurgisk gastroenterologi",
    "394596001": "klinisk biokemi",
    "394600006": "klinisk farmakologi",
    "394601005": "klinisk fysiologi og nuklearmedicin",
    "394580004": "klinisk genetik",
    "421661004": "klinisk immunologi",
    "408454008": "klinisk mikrobiologi",
    "394809005": "klinisk neurofysiologi",
    "394592004": "klinisk onkologi",
    "418112009": "lungesygdomme",
    "394805004": "medicinsk allergologi",
    "394584008": "medicinsk gastroenterologi",
    "394589003": "nefrologi",
    "394610002": "neurokirurgi",
    "394591006": "neurologi",
    "394812008": "odontologi",
    "394594003": "oftalmologi",
    "394801008": "ortopædisk kirurgi",
    "394604002": "oto-rhino-laryngologi",
    "394915009": "patologisk anatomi og cytologi",
    "394611003": "plastikkirurgi",
    "394587001": "psykiatri",
    "394537008": "pædiatri",
    "394810000": "reumatologi",
    "554011000005107": "retsmedicin",
    "394581000": "samfundsmedicin",
    "394603008": "thoraxkirurgi",
    "408448007": "tropemedicin",
    "394612005": "urologi",
    "773568002": "akutmedicin",
    "394608004": "ortodonti",
    "394605001": "tand-, mund- og kæbekirurgi",
    "658171000005102": "hjemmepleje",
    "658161000005107": "hjemmesygepleje",
    "658191000005101": "sundhedspleje",
    "658201000005103": "kommunal tandpleje",
    "658141000005108": "genoptræning efter hospitalsophold",
    "658151000005105": "sundhedsfremme og forebyggelse",
    "658181000005104": "hjælpemiddelområdet",
}

REGIONS: dict[str, str] = {
    "1081": "Region Nordjylland",
    "1082": "Region Midtjylland",
    "1083": "Region Syddanmark",
    "1084": "Region Hovedstaden",
    "1085": "Region Sjælland",
}


def type_name(code: str | None) -> str | None:
    """Name of an owner, institution or unit type code, if known."""
    if not code:
        return None
    return OWNER_TYPES.get(code) or INSTITUTION_TYPES.get(code) or UNIT_TYPES.get(code)
