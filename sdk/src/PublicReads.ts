import type { Query, Transport } from './transport.js';
import type {
  ConfigSection,
  FileRef,
  FormSchema,
  FormSubmission,
  FormSubmissionInput,
  QuickQuestions,
} from './types.js';

const PUBLIC = '/api/public/v1';

/** A conditional read's answer: the body, and whether it came from the cache after a 304. */
export interface Cached<T> {
  body: T;
  etag: string | undefined;
  notModified: boolean;
  /** `published` (the edge document) or `live`, from `X-Edge-Source`. */
  edgeSource: string | undefined;
}

/**
 * Forms and the published reads, authorized by the public key (sent as `X-Comerix-Public-Key`). The cacheable reads
 * remember their `ETag` and send `If-None-Match`, so a refresh that changed nothing costs a 304 and no body.
 */
export class PublicReads {
  private readonly etags = new Map<string, { etag: string; body: unknown }>();

  constructor(private readonly transport: Transport) {}

  private get keyHeader() {
    return { 'x-comerix-public-key': this.transport.publicKey };
  }

  private async conditional<T>(path: string, query?: Query, signal?: AbortSignal): Promise<Cached<T>> {
    const cacheKey = this.transport.url(path, query);
    const known = this.etags.get(cacheKey);
    const response = await this.transport.send({
      method: 'GET',
      path,
      ...(query ? { query } : {}),
      headers: { ...this.keyHeader, ...(known ? { 'if-none-match': known.etag } : {}) },
      accept: [304],
      ...(signal ? { signal } : {}),
    });
    const edgeSource = response.headers.get('x-edge-source') ?? undefined;
    if (response.status === 304 && known) {
      return { body: known.body as T, etag: known.etag, notModified: true, edgeSource };
    }
    const body = (await response.json()) as T;
    const etag = response.headers.get('etag') ?? undefined;
    if (etag) this.etags.set(cacheKey, { etag, body });
    return { body, etag, notModified: false, edgeSource };
  }

  /** Quick-question prompts, optionally for some page types. */
  quickQuestions(options: { pageTypes?: readonly string[]; signal?: AbortSignal } = {}) {
    return this.conditional<QuickQuestions>(
      `${PUBLIC}/chat/quick-questions`,
      options.pageTypes ? { pageType: options.pageTypes } : undefined,
      options.signal,
    );
  }

  /** A public config section (e.g. `appearance`). */
  config(section: string, options: { signal?: AbortSignal } = {}) {
    return this.conditional<ConfigSection>(
      `${PUBLIC}/config/${encodeURIComponent(section)}`,
      undefined,
      options.signal,
    );
  }

  /** A form's schema, cacheable and never metered: use it when an embed refreshes. */
  formSchema(codeOrId: string, options: { signal?: AbortSignal } = {}) {
    return this.conditional<FormSchema>(
      `${PUBLIC}/forms/${encodeURIComponent(codeOrId)}/schema`,
      undefined,
      options.signal,
    );
  }

  /** A form's schema, counted as a mount in the key's usage: call it once when the form is shown. */
  mountForm(codeOrId: string, options: { signal?: AbortSignal } = {}): Promise<FormSchema> {
    return this.transport.json<FormSchema>({
      method: 'GET',
      path: `${PUBLIC}/forms/${encodeURIComponent(codeOrId)}`,
      headers: this.keyHeader,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Submits a form; a 422 throws a ComerixError whose `fields` name each problem. */
  submitForm(
    codeOrId: string,
    values: FormSubmissionInput['values'],
    options: { metadata?: FormSubmissionInput['metadata']; signal?: AbortSignal } = {},
  ): Promise<FormSubmission> {
    return this.transport.json<FormSubmission>({
      method: 'POST',
      path: `${PUBLIC}/forms/${encodeURIComponent(codeOrId)}/submissions`,
      headers: this.keyHeader,
      json: { values, ...(options.metadata !== undefined ? { metadata: options.metadata } : {}) },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Uploads a file for a form's `file` field; submit with `values[field] = fileRef.id`. */
  async uploadFormFile(codeOrId: string, field: string, file: Blob, filename = 'upload'): Promise<FileRef> {
    const form = new FormData();
    form.append('file', file, filename);
    const body = await this.transport.json<{ fileRef: FileRef }>({
      method: 'POST',
      path: `${PUBLIC}/forms/${encodeURIComponent(codeOrId)}/uploads`,
      query: { field },
      headers: this.keyHeader,
      form,
    });
    return body.fileRef;
  }
}
