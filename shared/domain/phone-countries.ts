/**
 * The countries whose national phone numbers Herald can read (ISO 3166-1 alpha-2): libphonenumber-js's
 * getCountries(), written out so that checking a sandbox's default country does not bring the
 * library's ~120 KB of metadata into the bundles that never parse a number (a unit test holds the
 * list to the library's, so an upgrade that adds a country fails it until the list follows).
 */
export const PHONE_COUNTRIES: ReadonlySet<string> = new Set(
  'AC AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'.split(
    ' ',
  ),
);

/** Whether Herald can read national phone numbers of this country (ISO 3166-1 alpha-2). */
export function isPhoneCountry(code: string): boolean {
  return PHONE_COUNTRIES.has(code);
}
