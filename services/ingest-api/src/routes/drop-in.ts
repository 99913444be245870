import { dropInRefreshBody, dropInResultsQuery, type DropInAccepted, type DropInResults } from '@refresh/contract';
import { tenantOfRequest } from '@refresh/store';
import { Router, type Request } from 'express';
import { createAcceptRequest } from '../intake/accept-request';
import { answerTraceparent } from '../http/trace-header';
import { callerOf } from '../auth/auth';
import type { ApiContext } from '../context';
import { toVodResults } from '../views/drop-in-results';
import { badFields, dependency, unsupportedMediaType } from '../http/errors';
import { idempotencyKeyHash } from '../intake/idempotency';
import { createJsonReader } from '../intake/json-body';
import { routeName } from '../ops/metrics';
import { TENANT_HEADER, tenantForProject } from '../intake/project-tenant';
import { logOf } from '../http/request-log';
import { stageList } from '../intake/staging';
import { asVodRefusal, vodIllegalField } from '../http/vod-errors';

const PATH = '/v1/:project_id/asset/refresh';

/**
 * The drop-in endpoint: VOD's RefreshAsset and ShowRefreshResult on VOD's own path, so a
 * publishing system switches from VOD by changing its base URL and credentials. The POST takes
 * any number of items through the same accept path as the native endpoint.
 */
export function dropInRoutes(ctx: ApiContext): Router {
  const router = Router();
  const readJson = createJsonReader(ctx.config.ingest.jsonBodyBytes, dropInRefreshBody, ctx.shutdown);
  const acceptRequest = createAcceptRequest(ctx);

  router.post(PATH, routeName('dropin_refresh'), ctx.authenticate, async (req, res) => {
    const projectId = String(req.params.project_id);
    const caller = callerOf(res);
    const tenant = tenantForProject(ctx.config, caller, projectId, req.get(TENANT_HEADER));
    const keyHash = idempotencyKeyHash(req, caller.id);
    // what VOD would refuse in the body, VOD's way (vod-errors.ts); the tenant and the key were settled above
    const accepted = await acceptRequest({
      caller,
      tenant,
      idempotencyKeyHash: keyHash,
      readItems: async (staging) => {
        acceptJsonOnly(req);
        const { body, fingerprint } = await readJson(req, res);
        await stageList(staging, 'asset_id_list', 'asset_id', body.asset_id_list);
        await stageList(staging, 'urls', 'url', body.urls);
        return { priority: body.priority ?? 'normal', fingerprint };
      },
      log: logOf(res, ctx.logger),
    }).catch((err: unknown) => {
      throw asVodRefusal(err, 'body');
    });
    const answer: DropInAccepted = { task_id: accepted.requestId };
    answerTraceparent(res);
    res.status(202).location(`/v1/${encodeURIComponent(projectId)}/asset/refresh?task_id=${accepted.requestId}`).json(answer);
  });

  router.get(PATH, routeName('dropin_results'), ctx.authenticate, async (req, res) => {
    const q = dropInResultsQuery.safeParse(req.query);
    if (!q.success) {
      throw asVodRefusal(badFields('bad query', q.error.issues, 'task_id'), 'task_id');
    }
    const { task_id: taskId, cursor, limit } = q.data;
    const caller = callerOf(res);
    // the tenant is in the id; a task of another project, or of a tenant the caller may not
    // use, answers exactly like an unknown one, so ids are never confirmed
    const tenantId = tenantOfRequest(taskId);
    const visible = ctx.config.tenants.some(
      (t) => t.id === tenantId && caller.tenants.has(t.id) && t.projectId === String(req.params.project_id),
    );
    // VOD refuses a task id it does not know as an illegal parameter
    if (!visible || (await dependency(ctx.store.get(taskId))) === null) throw vodIllegalField('task_id');
    const page = await dependency(ctx.store.progressItems(taskId, cursor, limit));
    const answer: DropInResults = { refresh_results: toVodResults(page.items) };
    if (page.next !== null) answer.next_cursor = String(page.next);
    res.json(answer);
  });

  return router;
}

/**
 * VOD takes JSON only. Huawei's own examples send `charset=utf8`, which the JSON parser
 * refuses (it knows the name `utf-8`); both mean UTF-8, so such a client is not turned away.
 */
function acceptJsonOnly(req: Request): void {
  const [type = '', ...params] = (req.get('content-type') ?? '').split(';');
  if (type.trim().toLowerCase() !== 'application/json') throw unsupportedMediaType('send application/json');
  const charset = params.map((p) => p.trim()).find((p) => /^charset=/i.test(p));
  if (charset !== undefined && /^charset="?utf-?8"?$/i.test(charset)) req.headers['content-type'] = 'application/json';
}
