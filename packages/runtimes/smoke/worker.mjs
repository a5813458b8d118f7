// The smoke client as a Worker (workerd, no nodejs_compat): the harness POSTs the config as JSON
// and reads the verdict from the response.
import { smoke } from './smoke.mjs';

export default {
  /** @param {Request} request */
  async fetch(request) {
    if (request.method !== 'POST' || new URL(request.url).pathname !== '/smoke') return new Response('not found', { status: 404 });
    return Response.json(await smoke(await request.json()));
  },
};
