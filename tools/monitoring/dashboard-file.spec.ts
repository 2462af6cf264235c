import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asPlainPromql, readDashboardQueries } from './dashboard-file';

const dir = mkdtempSync(join(tmpdir(), 'spear-dashboard-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dashboard(doc: unknown): string {
  const path = join(dir, `d${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

const DS = { type: 'prometheus', uid: '${datasource}' };
const panel = (id: number, expr: string, title = `p${id}`) => ({ id, type: 'timeseries', title, datasource: DS, targets: [{ refId: 'A', expr }] });

describe('readDashboardQueries', () => {
  it("reads panels, rows' nested panels, query variables and annotations", () => {
    const path = dashboard({
      title: 'T',
      uid: 'u',
      panels: [panel(1, 'a_total'), { id: 2, type: 'row', title: 'r', panels: [panel(3, 'b')] }],
      templating: { list: [{ name: 'node', type: 'query', query: { query: 'label_values(spear_connections{job="spear"}, nodeId)' } }, { name: 'job', type: 'query', query: 'label_values(job)' }, { name: 'datasource', type: 'datasource', query: 'prometheus' }] },
      annotations: { list: [{ name: 'Alerts', expr: 'ALERTS{alertstate="firing"}' }] },
    });
    expect(readDashboardQueries(path).map((q) => [q.where.replace(/^[^:]+: /, ''), q.expr])).toEqual([
      ['panel "p1" (A)', 'a_total'],
      ['panel "p3" (A)', 'b'],
      ['variable node', 'spear_connections{job="spear"}'],
      ['annotation Alerts', 'ALERTS{alertstate="firing"}'],
    ]);
  });

  it('reports every problem that makes a dashboard unusable, together', () => {
    const path = dashboard({
      title: '',
      panels: [panel(1, 'a'), { ...panel(1, 'b'), title: 'twin' }, { id: 4, type: 'stat', title: 'empty', targets: [] }, { id: 5, type: 'stat', title: 'blank', datasource: DS, targets: [{ refId: 'A', expr: ' ' }] }],
      templating: { list: [{ name: 'odd', type: 'query', query: 'something_else(x)' }] },
    });
    let message = '';
    try {
      readDashboardQueries(path);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('no title');
    expect(message).toContain('no uid');
    expect(message).toContain('panel "twin": id 1 is used twice');
    expect(message).toContain('panel "empty": no queries');
    expect(message).toContain('panel "empty": no datasource');
    expect(message).toContain('panel "blank" (A): no expr');
    expect(message).toContain('variable odd: not a Grafana Prometheus variable query this check can read: something_else(x)');
  });

  it('refuses a file that is not JSON, naming it', () => {
    expect(() => readDashboardQueries(dashboard('{ "title": '))).toThrow(/^d\w+\.json: not JSON/);
  });
});

describe('asPlainPromql', () => {
  it('turns interval variables into a duration and the others into a match-all regex', () => {
    expect(asPlainPromql('rate(x{nodeId=~"$node", job=~"${job:regex}"}[$__rate_interval]) + rate(y[${__interval}])')).toBe('rate(x{nodeId=~".*", job=~".*"}[5m]) + rate(y[5m])');
  });
});
