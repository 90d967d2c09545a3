// Reads a CSV file in the browser for its preview, row count and column mapping; the server reads the file itself.

/** The separator of the header line: the most frequent of , ; tab | outside quotes (as the server decides). */
export function detectSeparator(text) {
  const line = text.slice(0, Math.max(text.indexOf('\n'), 0) || text.length);
  let best = ',', bestCount = 0;
  for (const sep of [',', ';', '\t', '|']) {
    let count = 0, quoted = false;
    for (const c of line) {
      if (c === '"') quoted = !quoted;
      else if (c === sep && !quoted) count++;
    }
    if (count > bestCount) { best = sep; bestCount = count; }
  }
  return best;
}

/** Every row of the text (quoted cells may hold separators, quotes and line breaks); blank lines are skipped. */
export function parse(text, separator = detectSeparator(text)) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [], cell = '', quoted = false, i = 0;
  const endRow = () => {
    row.push(cell);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = []; cell = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false;
      } else cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') quoted = true;
    else if (c === separator) { row.push(cell); cell = ''; }
    else if (c === '\n') endRow();
    else if (c === '\r') { if (text[i + 1] !== '\n') endRow(); }
    else cell += c;
    i++;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

/** The identity hints a job reads, with the names shown in the mapping. */
export const HINTS = [
  ['email', 'Work email'], ['personal_email', 'Personal email'], ['linkedin_url', 'LinkedIn URL'], ['first_name', 'First name'],
  ['last_name', 'Last name'], ['full_name', 'Full name'], ['company_name', 'Company name'], ['company_domain', 'Company domain or website'],
  ['phone', 'Phone'], ['job_title', 'Job title'], ['location', 'Location'], ['x_handle', 'X handle'], ['github_username', 'GitHub username'],
];

// Headers as CRM and spreadsheet exports write them (Salesforce, HubSpot, Pipedrive, LinkedIn Sales Navigator, …).
const ALIASES = new Map(Object.entries({
  email: 'email', e_mail: 'email', email_address: 'email', work_email: 'email', business_email: 'email', work_email_address: 'email',
  primary_email: 'email', contact_email: 'email',
  personal_email: 'personal_email', private_email: 'personal_email', home_email: 'personal_email',
  linkedin: 'linkedin_url', linkedin_url: 'linkedin_url', linkedin_profile: 'linkedin_url', linkedin_profile_url: 'linkedin_url',
  person_linkedin_url: 'linkedin_url', linkedin_link: 'linkedin_url',
  first_name: 'first_name', firstname: 'first_name', first: 'first_name', given_name: 'first_name', forename: 'first_name',
  last_name: 'last_name', lastname: 'last_name', last: 'last_name', surname: 'last_name', family_name: 'last_name',
  name: 'full_name', full_name: 'full_name', fullname: 'full_name', contact_name: 'full_name', contact: 'full_name',
  company: 'company_name', company_name: 'company_name', account_name: 'company_name', organization: 'company_name',
  organisation: 'company_name', organization_name: 'company_name', employer: 'company_name', account: 'company_name',
  domain: 'company_domain', company_domain: 'company_domain', website: 'company_domain', company_website: 'company_domain',
  web_site: 'company_domain', company_url: 'company_domain', email_domain: 'company_domain',
  phone: 'phone', phone_number: 'phone', mobile: 'phone', mobile_phone: 'phone', direct_phone: 'phone', work_phone: 'phone', telephone: 'phone',
  title: 'job_title', job_title: 'job_title', position: 'job_title', role: 'job_title', jobtitle: 'job_title',
  location: 'location', city: 'location',
  twitter: 'x_handle', x: 'x_handle', x_handle: 'x_handle', twitter_handle: 'x_handle', twitter_url: 'x_handle',
  github: 'github_username', github_username: 'github_username', github_url: 'github_username',
}));

const canonical = (header) => header.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

/** The hint a header stands for, or '' — each hint given to one column at most, the first that claims it. */
export function detectMapping(headers) {
  const taken = new Set();
  return headers.map((header) => {
    const name = canonical(header);
    let hint = ALIASES.get(name) ?? '';
    if (!hint && name.includes('linkedin')) hint = 'linkedin_url';
    else if (!hint && name.includes('email') && !name.includes('status')) hint = 'email';
    if (!hint || taken.has(hint)) return '';
    taken.add(hint);
    return hint;
  });
}

/** Whether the chosen hints can identify a person: an email, a profile, or a name with a company. */
export function identifies(hints) {
  const has = (h) => hints.includes(h);
  return has('email') || has('personal_email') || has('linkedin_url') || has('x_handle') || has('github_username')
    || ((has('full_name') || (has('first_name') && has('last_name'))) && (has('company_domain') || has('company_name')));
}
