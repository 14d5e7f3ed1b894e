/**
 * The Host-header check against DNS rebinding. A page on evil.example can make its own name resolve
 * to 127.0.0.1 and then read a loopback-bound service as same-origin, token or not (and the default
 * install has none). The browser still sends `Host: evil.example`, so a service that answers only to
 * the names it is really reached by cannot be read that way. Non-browser clients are unaffected:
 * they send the host they connected to.
 */
import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** HOST values that mean loopback only: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The name part of a Host header, lower-cased, without port or trailing dot; IPv6 keeps its brackets. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) || h : h.split(':')[0];
  return name.replace(/\.$/, '');
}

/**
 * The names the service answers to, or null for no check: bound to loopback, loopback's names plus
 * `extra`; bound elsewhere, the same only when `extra` names some (a wildcard bind answers to any
 * name by default, as before). `*` in `extra` turns the check off.
 */
export function allowedHosts(listenHost: string, extra: readonly string[]): Set<string> | null {
  if (extra.includes('*')) return null;
  if (!isLoopback(listenHost) && extra.length === 0) return null;
  const bound = listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  return new Set([...LOOPBACK_NAMES, hostName(bound), ...extra]);
}

export function requireAllowedHost(allowed: ReadonlySet<string>): RequestHandler {
  const names = [...allowed].join(', ');
  return (req, _res, next) => {
    const header = req.headers.host;
    // HTTP/1.0 without Host: no browser sends that, so no rebinding either.
    if (header === undefined || allowed.has(hostName(header))) {
      next();
      return;
    }
    throw new ApiError(
      421,
      'host_not_allowed',
      `this service answers to ${names}, not Host ${JSON.stringify(header.slice(0, 100))} ` +
        '(a guard against DNS rebinding); to reach it by that name, add it to TRAFFICLENS_ALLOWED_HOSTS',
      'auth',
    );
  };
}
