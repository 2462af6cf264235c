'use strict';
// What the bundles get for `require('debug')` (socket.io, engine.io, ioredis...).
// Their hot paths call debug("...", arg, ...) for every packet and command; the
// real debug's `function (...args)` allocates an array per call even when no
// namespace is enabled (~15 MB per 10 s of a busy spear node's allocations).
// Without DEBUG in the environment these are plain no-op functions, which cost
// no allocation; with DEBUG set at start the real module is used unchanged.
if (process.env.DEBUG) {
  module.exports = require('debug');
} else {
  const createDebug = (namespace = '') => {
    const debug = function () {};
    debug.namespace = namespace;
    debug.enabled = false;
    debug.useColors = false;
    debug.color = 0;
    debug.diff = 0;
    debug.log = debug;
    debug.destroy = () => false;
    debug.extend = (sub, delimiter = ':') => createDebug(namespace + delimiter + sub);
    return debug;
  };
  createDebug.debug = createDebug;
  createDebug.default = createDebug;
  createDebug.enable = () => undefined;
  createDebug.disable = () => '';
  createDebug.enabled = () => false;
  createDebug.names = [];
  createDebug.skips = [];
  createDebug.formatters = {};
  createDebug.coerce = (value) => value;
  createDebug.humanize = (ms) => `${ms}ms`;
  createDebug.selectColor = () => 0;
  module.exports = createDebug;
}
