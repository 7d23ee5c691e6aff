import type { Json } from './json.js';
import type { TestServer } from './server.js';

export interface CreatedSource {
  id: string;
  /** The ingest URL on this test server (loopback): where tests send. */
  url: string;
  /** The public ingest URL the source answers with (what a provider is given and may sign). */
  publicUrl: string;
  data: Json;
}

/** POST /sources with `body` (a name is added unless given); throws unless it answers 201. */
export async function createSource(server: TestServer, body: Record<string, unknown> = {}): Promise<CreatedSource> {
  const created = await server.request('POST', '/api/v1/sources', { body: { name: 'test source', ...body } });
  if (created.status !== 201) throw new Error(`source create failed: ${JSON.stringify(created.body)}`);
  const data = created.body.data;
  const publicUrl = data.ingest_url as string;
  return { id: data.id as string, url: publicUrl.replace(server.config.publicUrl, server.url), publicUrl, data };
}
