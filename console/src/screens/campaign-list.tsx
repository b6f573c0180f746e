import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatTime, ProblemBanner } from '../components.tsx';
import { href, navigate } from '../router.ts';
import { can } from '../scopes.ts';
import type { CampaignView, Page, WhoamiView } from '../types.ts';

/** Every campaign of the sandbox, every page of `GET /campaigns`. */
async function allCampaigns(): Promise<CampaignView[]> {
  const all: CampaignView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<CampaignView>>(
      `/campaigns?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

const FILTERS = {
  category: ['marketing', 'transactional'],
  channel: ['email', 'sms', 'push'],
  status: ['draft', 'scheduled', 'live', 'stopped', 'completed', 'archived'],
} as const;
type FilterName = keyof typeof FILTERS;

export function CampaignList({ me }: { me: WhoamiView }) {
  const [campaigns, setCampaigns] = useState<CampaignView[]>();
  const [error, setError] = useState<unknown>();
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<Record<FilterName, string>>({
    category: '',
    channel: '',
    status: '',
  });
  useEffect(() => {
    allCampaigns().then(setCampaigns, setError);
  }, []);
  const shown = useMemo(
    () =>
      (campaigns ?? [])
        .filter((c) => c.name.toLowerCase().includes(search.toLowerCase()))
        .filter((c) =>
          (Object.keys(filters) as FilterName[]).every((f) => !filters[f] || c[f] === filters[f]),
        )
        .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt)),
    [campaigns, search, filters],
  );
  return (
    <section aria-labelledby="campaigns-title">
      <div class="title-row">
        <h1 id="campaigns-title">Campaigns</h1>
        {can(me, 'campaigns:write') ? (
          <button type="button" onClick={() => navigate('campaigns', 'new')}>
            New campaign
          </button>
        ) : null}
      </div>
      {!can(me, 'campaigns:read') ? <p>This key may not read campaigns (campaigns:read).</p> : null}
      <ProblemBanner error={error} />
      <fieldset class="filters">
        <legend class="visually-hidden">Filters</legend>
        <label>
          Search by name
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        {(Object.keys(FILTERS) as FilterName[]).map((name) => (
          <label key={name}>
            {name[0]?.toUpperCase()}
            {name.slice(1)}
            <select
              value={filters[name]}
              onChange={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}
            >
              <option value="">all</option>
              {FILTERS[name].map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
        ))}
      </fieldset>
      {campaigns === undefined && !error ? <p class="loading">Loading…</p> : null}
      {campaigns !== undefined ? (
        <table class="list">
          <caption class="visually-hidden">Campaigns</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Category</th>
              <th scope="col">Channel</th>
              <th scope="col">Status</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={href('campaigns', c.id)}>{c.name}</a>
                  {c.draft ? <span class="badge">pending edits</span> : null}
                </td>
                <td>{c.category}</td>
                <td>{c.channel}</td>
                <td>
                  <span class={`status st-${c.status}`}>{c.status}</span>
                </td>
                <td>{formatTime(c.modifiedAt)}</td>
              </tr>
            ))}
            {shown.length === 0 ? (
              <tr>
                <td colSpan={5}>No campaign matches.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
