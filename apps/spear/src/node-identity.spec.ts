import { describe, expect, it } from 'vitest';
import { publicUrl, selectNode } from './node-identity';

const spear = {
  nodes: [
    { id: 'a', host: '127.0.0.1', port: 1, weight: 1 },
    { id: 'b', host: '127.0.0.1', port: 2, weight: 2, publicUrl: 'https://b.example' },
  ],
};

describe('selectNode', () => {
  it('picks the node SPEAR_NODE_ID names', () => {
    expect(selectNode(spear, { SPEAR_NODE_ID: 'b' }).port).toBe(2);
  });
  it('refuses a missing or unknown id with the choices', () => {
    expect(() => selectNode(spear, {})).toThrow(/one of this profile's spear nodes: a, b/);
    expect(() => selectNode(spear, { SPEAR_NODE_ID: 'zz' })).toThrow(/SPEAR_NODE_ID=zz is not a spear node.*a, b/);
  });
  it('needs no id when the profile has one node', () => {
    expect(selectNode({ ...spear, nodes: [spear.nodes[0]!] }, {}).id).toBe('a');
  });
  it('uses the public URL when set, else host and bound port', () => {
    expect(publicUrl(spear.nodes[1]!, 2)).toBe('https://b.example');
    expect(publicUrl(spear.nodes[0]!, 4567)).toBe('http://127.0.0.1:4567');
  });
});
