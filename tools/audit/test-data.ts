/** Findings and allow-list entries for the specs: one place, so each spec states only what differs. */
import type { AllowEntry } from './allow-list';
import type { Finding } from './finding';

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'GHSA-xvch-5gv4-984h',
    aliases: ['GHSA-xvch-5gv4-984h', 'npm:1097678'],
    package: 'minimist',
    severity: 'critical',
    title: 'Prototype Pollution in minimist',
    url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h',
    range: '<1.2.6',
    locations: ['node_modules/minimist'],
    ...overrides,
  };
}

export function entry(overrides: Partial<AllowEntry> = {}): AllowEntry {
  return {
    id: 'GHSA-xvch-5gv4-984h',
    package: 'minimist',
    reason: 'Only the build reads argv through minimist; no request data reaches it.',
    reviewedBy: 'lead',
    reviewedOn: '2026-12-01',
    expires: '2027-02-01',
    ...overrides,
  };
}
