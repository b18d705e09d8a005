// 1Password Events tokens are JWTs whose `aud[0]` names the region's events host.
// Reading it (no verification: the server does that) lets setup warn about a token
// used against the wrong region, the most common misconfiguration.

export function tokenAudienceHost(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!payload || typeof payload !== 'object') return undefined;
    const aud = (payload as Record<string, unknown>)['aud'];
    const first = Array.isArray(aud) ? aud[0] : aud;
    return typeof first === 'string' && /^[a-z0-9.-]+$/i.test(first) ? first : undefined;
  } catch {
    return undefined;
  }
}
