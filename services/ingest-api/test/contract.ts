import type { OpenApiDocument } from '@refresh/contract';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** Where the document is registered in ajv, so `#/components/schemas/...` refs resolve inside it. */
const DOC_ID = 'urn:refresh:openapi';

export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export type Method = (typeof METHODS)[number];

/** `METHOD /path/{template}`, as written in an exercise and reported by the checker. */
export type OperationKey = `${Uppercase<Method>} ${string}`;

interface MediaObject {
  schema?: unknown;
}
interface HeaderObject {
  required?: boolean;
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaObject>;
  headers?: Record<string, HeaderObject>;
}

/** What the checker found an answer to be, once it conforms. */
export interface CheckedAnswer {
  operation: OperationKey;
  status: number;
  /** parsed JSON, or the text of a non-JSON answer */
  body: unknown;
}

/**
 * Checks real HTTP answers against the OpenAPI document: the status must be documented for the
 * operation, the media type must be one the status documents, the body must match its schema
 * (components resolved by $ref) and required documented headers must be present and match.
 * Each failure throws an Error that names the operation, the status and what was wrong.
 */
export class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp; literal: boolean }[];
  /** every operation an answer was checked for, with the statuses seen */
  readonly seen = new Map<OperationKey, Set<number>>();

  constructor(private readonly doc: OpenApiDocument) {
    // strict: zod-openapi writes OpenAPI's own `example` keyword into schemas; the rest stays strict
    this.ajv = new Ajv2020({ allErrors: true, strict: true });
    this.ajv.addKeyword('example');
    addFormats(this.ajv);
    // the document itself is the schema root: refs inside response schemas resolve against it
    this.ajv.addKeyword('openapi').addKeyword('info').addKeyword('paths').addKeyword('components');
    this.ajv.addSchema({ $id: DOC_ID, openapi: doc.openapi, components: doc.components ?? {}, paths: doc.paths ?? {} });
    this.templates = Object.keys(doc.paths ?? {}).map((template) => ({
      template,
      literal: !template.includes('{'),
      pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+')}$`),
    }));
  }

  /** Every (path, method) the document describes. */
  operations(): OperationKey[] {
    const out: OperationKey[] = [];
    for (const [path, item] of Object.entries(this.doc.paths ?? {})) {
      for (const method of METHODS) {
        if (item && (item as Record<string, unknown>)[method]) out.push(`${upper(method)} ${path}`);
      }
    }
    return out;
  }

  /** The operation a real request path falls under; a literal path wins over a template (OpenAPI's rule). */
  operationOf(method: string, urlOrPath: string): OperationKey {
    const path = new URL(urlOrPath, 'http://x').pathname;
    const matches = this.templates.filter((t) => t.pattern.test(path)).sort((a, b) => Number(b.literal) - Number(a.literal));
    const m = method.toLowerCase() as Method;
    for (const { template } of matches) {
      if (this.responsesOf(m, template)) return `${upper(m)} ${template}`;
    }
    throw new Error(`${method.toUpperCase()} ${path} is not an operation of the OpenAPI document`);
  }

  /**
   * Reads `res` (once: its body is consumed) and checks it against the document; `method` is
   * the request's, as fetch's Response does not keep it. Returns the operation and the body.
   */
  async check(method: string, res: Response): Promise<CheckedAnswer> {
    const operation = this.operationOf(method, res.url);
    const [m, template] = splitKey(operation);
    const where = `${operation} → ${res.status}`;
    const text = await res.text();
    const responses = this.responsesOf(m, template) ?? {};
    const documented = responses[String(res.status)] ?? responses[`${String(res.status)[0]}XX`] ?? responses.default;
    if (!documented) {
      throw new Error(
        `${where}: status ${res.status} is not documented for this operation (documented: ${Object.keys(responses).join(', ')}). ` +
          `Body: ${text.slice(0, 500)}`,
      );
    }
    const statusKey = Object.keys(responses).find((k) => responses[k] === documented) ?? 'default';

    this.checkHeaders(where, m, template, statusKey, documented, res.headers);

    let body: unknown = text;
    const content = documented.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      if (text !== '') throw new Error(`${where}: the document says no body, but one came: ${text.slice(0, 500)}`);
    } else {
      const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!mediaTypes.includes(mediaType)) {
        throw new Error(`${where}: content-type "${mediaType}" is not documented (documented: ${mediaTypes.join(', ')})`);
      }
      if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new Error(`${where}: the body is not JSON: ${text.slice(0, 500)}`);
        }
      }
      if (content[mediaType]?.schema !== undefined) {
        const validate = this.validator(['paths', template, m, 'responses', statusKey, 'content', mediaType, 'schema']);
        if (!validate(body)) {
          throw new Error(`${where}: the body does not match the documented schema:\n${describeErrors(validate)}\nBody: ${JSON.stringify(body).slice(0, 1000)}`);
        }
      }
    }

    let statuses = this.seen.get(operation);
    if (!statuses) this.seen.set(operation, (statuses = new Set()));
    statuses.add(res.status);
    return { operation, status: res.status, body };
  }

  private checkHeaders(where: string, m: Method, template: string, statusKey: string, documented: ResponseObject, headers: Headers): void {
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = headers.get(name);
      if (value === null) {
        if (header.required) throw new Error(`${where}: the documented header ${name} is missing`);
        continue;
      }
      if (header.schema === undefined) continue;
      const validate = this.validator(['paths', template, m, 'responses', statusKey, 'headers', name, 'schema']);
      // a header is text on the wire; a numeric schema describes the number it spells (style: simple)
      const type = (header.schema as { type?: unknown }).type;
      const typed = (type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      if (!validate(typed)) throw new Error(`${where}: header ${name}: ${JSON.stringify(value)} does not match:\n${describeErrors(validate)}`);
    }
  }

  private responsesOf(m: Method, template: string): Record<string, ResponseObject> | undefined {
    const item = (this.doc.paths ?? {})[template] as Record<string, { responses?: Record<string, ResponseObject> }> | undefined;
    return item?.[m]?.responses;
  }

  /** A validator for the schema at `pointer` inside the document, so its refs resolve from the document's root. */
  private validator(pointer: string[]): ValidateFunction {
    const ref = `${DOC_ID}#/${pointer.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
    let v = this.validators.get(ref);
    if (!v) {
      v = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, v);
    }
    return v;
  }
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((e) => `  at ${e.instancePath || '(root)'}: ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('\n');
}

function upper(m: Method): Uppercase<Method> {
  return m.toUpperCase() as Uppercase<Method>;
}

function splitKey(key: OperationKey): [Method, string] {
  const space = key.indexOf(' ');
  return [key.slice(0, space).toLowerCase() as Method, key.slice(space + 1)];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
