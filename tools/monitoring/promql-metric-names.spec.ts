import { describe, expect, it } from 'vitest';
import { metricNamesIn, PromqlReadError } from './promql-metric-names';

describe('metricNamesIn', () => {
  it('finds a bare selector and one with matchers, never the label names', () => {
    expect(metricNamesIn('up{job="spear"} == 0')).toEqual(['up']);
    expect(metricNamesIn('spear_health_check_ok{check="redis", nodeId=~"spear-.*"}')).toEqual(['spear_health_check_ok']);
  });

  it('skips functions, aggregations and the label lists of by/without/on/ignoring/group_left', () => {
    const expr = `histogram_quantile(0.99, sum by (le, nodeId, instance) (rate(spear_bus_lag_seconds_bucket[5m]))) > 1`;
    expect(metricNamesIn(expr)).toEqual(['spear_bus_lag_seconds_bucket']);
    expect(metricNamesIn('sum without (instance) (a_total) / on (job) group_left (nodeId) b_info * ignoring (x) c')).toEqual(['a_total', 'b_info', 'c']);
    expect(metricNamesIn('max(spear_idgen_serving) or vector(0)')).toEqual(['spear_idgen_serving']);
  });

  it('reads both sides of binary, set and comparison operators, with bool and offset', () => {
    const expr = `max by (redis, db) (spear_redis_keys) > 1.5 * max by (redis, db) (spear_redis_keys offset 1h) and max by (redis, db) (spear_redis_keys) > 100000`;
    expect(metricNamesIn(expr)).toEqual(['spear_redis_keys']);
    expect(metricNamesIn('a > bool b unless c OR d')).toEqual(['a', 'b', 'c', 'd']);
    expect(metricNamesIn('predict_linear(m[1h], 4 * 3600) > max by (redis) (n > 0)')).toEqual(['m', 'n']);
  });

  it('keeps aggregations with the clause after the argument, and keywords in any case', () => {
    expect(metricNamesIn('SUM(rate(x_total[5m])) BY (job)')).toEqual(['x_total']);
    expect(metricNamesIn('topk(5, sum by (route) (y))')).toEqual(['y']);
  });

  it('reads subqueries, @ modifiers, {__name__="..."} and recording-rule names with colons', () => {
    expect(metricNamesIn('max_over_time(deriv(job:mem:bytes[5m])[1h:1m]) @ end()')).toEqual(['job:mem:bytes']);
    expect(metricNamesIn('{__name__="spear_connections", nodeId="spear-1"}')).toEqual(['spear_connections']);
  });

  it('skips Grafana variables inside ranges and matchers, and strings that look like names', () => {
    const expr = `sum by (nodeId) (rate(spear_messages_stored_total{kind="send", nodeId=~"$node"}[$__rate_interval])) + \${other} * [[legacy]]`;
    expect(metricNamesIn(expr)).toEqual(['spear_messages_stored_total']);
    expect(metricNamesIn('label_replace(up, "job", "$1", "instance", "(spear_.*)")')).toEqual(['up']);
  });

  it('reads numbers in every PromQL form without taking them for names', () => {
    expect(metricNamesIn('a > 0x1F and b < 1e-3 and c > Inf and d != NaN and e > .5')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('ignores comments', () => {
    expect(metricNamesIn('a # then not_a_metric\n + b')).toEqual(['a', 'b']);
  });

  it('refuses what it cannot read, naming the position, instead of returning fewer names', () => {
    expect(() => metricNamesIn('sum(rate(x[5m])')).toThrow(PromqlReadError);
    expect(() => metricNamesIn('sum(rate(x[5m])')).toThrow('unclosed ( at position 15');
    expect(() => metricNamesIn('x{job="a"]')).toThrow('unbalanced ] at position 9');
    expect(() => metricNamesIn('x{job="a}')).toThrow('unterminated string at position 6');
    expect(() => metricNamesIn('x ; y')).toThrow('unexpected character ";" at position 2');
  });
});
