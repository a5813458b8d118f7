import { OAuthJarError } from '../errors.js';
import type { PublishContext, ReissueOptions, RequestUriPublisher } from '../publishers/types.js';
import type { RequestSpec } from './request.js';

/** Hands the request object to its publisher and returns the `request_uri` (RFC 9101 §5.2, RFC 9126 §2). */
export async function publishRequestObject(
  r: RequestSpec,
  publisher: RequestUriPublisher,
  requestObject: string,
  reissue: (options: ReissueOptions) => Promise<string>,
): Promise<{ requestUri: string; expiresIn: number | undefined; requestUriMethod: 'get' | 'post' | undefined }> {
  let published: { requestUri: string; expiresIn?: number; requestUriMethod?: 'get' | 'post' };
  try {
    published = await publisher.publish(requestObject, { ...publishContext(r), reissue: (options = {}) => reissue(options) });
  } catch (cause) {
    if (cause instanceof OAuthJarError) throw cause;
    throw new OAuthJarError('ERR_PUBLISH_FAILED', `publishing the request object failed: ${(cause as Error)?.message}`, { cause });
  }
  if (typeof published?.requestUri !== 'string' || published.requestUri === '') {
    throw new OAuthJarError('ERR_PUBLISH_FAILED', 'the publisher returned no requestUri');
  }
  return { requestUri: published.requestUri, expiresIn: published.expiresIn, requestUriMethod: published.requestUriMethod };
}

// What a publisher may need beyond the object: PAR takes the issuer as its assertion's aud.
function publishContext(r: RequestSpec): PublishContext {
  const context: PublishContext = { clientId: r.clientId };
  if (typeof r.audience === 'string') context.issuer = r.audience;
  const par = r.server?.pushed_authorization_request_endpoint;
  if (par !== undefined) context.pushedAuthorizationRequestEndpoint = par;
  if (r.server !== undefined) context.server = r.server;
  return context;
}
