/**
 * GENERATED from the OpenAPI document of @refresh/contract by scripts/generate-types.mjs.
 * Do not edit: run `npm run generate -w @refresh/client` after the contract changes.
 */

export interface paths {
    "/v1/tenants/{tenant}/refresh-requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Queue items for refresh
         * @description Validates every item and queues the request. Any bad item refuses the whole request (400 listing up to 100 problems) and nothing is queued. Send application/json, or text/plain with one asset id or URL a line (streamed, any size).
         */
        post: operations["submitRefreshRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/refresh-requests/{request_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What became of a request */
        get: operations["getRefreshRequest"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/refresh-requests/{request_id}/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A page of the request's unique items, in order of first appearance */
        get: operations["listRefreshRequestItems"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/{project_id}/asset/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** VOD's ShowRefreshResult for a task_id the POST answered, a page at a time */
        get: operations["dropInShowRefreshResult"];
        put?: never;
        /**
         * VOD's RefreshAsset, any number of items
         * @description VOD's body and path; the caller's API key as `X-Auth-Token` or `Authorization: Bearer`. Validated and queued exactly like `POST /v1/tenants/{tenant}/refresh-requests`: any bad item refuses the whole request and nothing is queued. AK/SK-signed calls are refused (401).
         */
        post: operations["dropInRefreshAsset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenant}/budget": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's budget today and whether sending is paused or throttled */
        get: operations["getBudget"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenant}/spend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where each budget day's units went: per caller, per use, and what was saved
         * @description The spend ledger, kept 400 days. `Accept: text/csv` answers the same as CSV, one row a day, with a column `caller:<id>` for each caller of the tenant.
         */
        get: operations["getSpend"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process answers */
        get: operations["liveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Redis answers; paused tenants are named but do not make the API unready */
        get: operations["readiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics; with metrics.bearerTokenSha256 set, only for `Authorization: Bearer <that token>` */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3.1 document */
        get: operations["openApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A browsable page of this document (Swagger UI, served from local files) */
        get: operations["apiDocsPage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/refresh-requests/{request_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a request's items that are still pending
         * @description Pending items no other request wants are canceled (never sent, no budget spent); shared ones stay pending. Items in flight, submitted or final are left alone. A request still being coalesced stops there. Idempotent: a second call cancels nothing more. Logged as an audit line.
         */
        post: operations["cancelRefreshRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/refresh-requests/{request_id}/requeue-failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a request's failed items again
         * @description Items refused by VOD, out of attempts or failed by VOD's verdict become pending again as new attempts in the queue of the request's priority (items of unknown outcome are not failed and stay). A completed request reopens and completes again when they end. Idempotent: a second call finds nothing failed. Logged as an audit line.
         */
        post: operations["requeueFailedItems"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description dispatch order; FIFO within a priority
         * @enum {string}
         */
        Priority: "high" | "normal" | "low";
        RefreshRequestBody: {
            /** @description VOD media asset ids */
            asset_ids?: string[];
            /** @description absolute http(s) URLs, at most 10,240 characters each */
            urls?: string[];
            priority?: components["schemas"]["Priority"];
            /** @description POSTed a signed summary once every item is final; its host must be in the caller's webhook allowlist */
            callback_url?: string;
            /**
             * Format: date-time
             * @description RFC 3339 instant before which none of the items is sent (an embargoed publish); they go out within lingerMs + 1 s after it when budget allows. In the past or more than 30 days ahead: 400
             * @example 2026-12-05T18:00:00+08:00
             */
            not_before?: string;
        };
        DropInRefreshBody: {
            /** @description VOD media asset ids, any number */
            asset_id_list?: string[];
            /** @description absolute http(s) URLs, at most 10,240 characters each, any number */
            urls?: string[];
            /** @description our extension (not in VOD): dispatch order, default normal */
            priority?: components["schemas"]["Priority"];
        };
        RefreshAccepted: {
            request_id: string;
            /** @description path of the request status */
            status_url: string;
            /** @description items received, duplicates included */
            received: number;
            /** @description when every item should have gone out and got VOD's verdict, counting the tenant's items that go before them, the budget left today and the daily limit; null when nothing is left to wait for, or while sending for the tenant is paused (nothing can be promised) */
            estimated_completion_at: string | null;
            /** @description budget days the items need, counting today as 1; more than 1 means they wait for later local midnights. null when nothing is left to wait for */
            budget_days_needed: number | null;
        };
        ErrorBody: {
            /**
             * @description stable code, RFS.NNNN for this service
             * @example RFS.0001
             */
            error_code: string;
            error_msg: string;
            /** @description per-field problems, when there are any */
            details?: unknown;
        };
        RequestView: {
            request_id: string;
            tenant: string;
            priority: components["schemas"]["Priority"];
            /** Format: date-time */
            created_at: string;
            status: components["schemas"]["RequestStatus"];
            /** @description unique items by state */
            counts: {
                pending: number;
                /** @description waiting for the budget reset (next_attempt_at): pending while the tenant's budget for today is spent, or claimed into a batch that must wait for the next budget day */
                deferred: number;
                /** @description claimed into a batch that is being sent or retried */
                in_flight: number;
                submitted: number;
                completed: number;
                failed: number;
                unknown: number;
                /** @description pending items an admin canceled: never sent, final */
                canceled: number;
            };
            /** @description VOD's task ids for this request's items (the first 1,000) */
            task_ids: string[];
            /** @description lines received, duplicates included */
            received: number;
            /** @description lines coalesced into the queues so far, duplicates included; it reaches `received` once the whole request is read. Lines not coalesced yet count as pending: received − ingested tells "still being read" from "queued" */
            ingested: number;
            /**
             * Format: date-time
             * @description when waiting items can move again: the budget reset for deferred items, the reserve release, or not_before for a request not yet due
             */
            next_attempt_at?: string;
            /**
             * Format: date-time
             * @description the request was scheduled: nothing of it is sent before this instant
             */
            not_before?: string;
            /** @description when every item should have gone out and got VOD's verdict, counting the tenant's items that go before them, the budget left today and the daily limit; null when nothing is left to wait for, or while sending for the tenant is paused (nothing can be promised) */
            estimated_completion_at: string | null;
            /** @description budget days the items need, counting today as 1; more than 1 means they wait for later local midnights. null when nothing is left to wait for */
            budget_days_needed: number | null;
            /**
             * Format: date-time
             * @description when an admin canceled the request
             */
            canceled_at?: string;
        };
        /** @enum {string} */
        RequestStatus: "accepted" | "in_progress" | "completed";
        ItemsPage: {
            items: components["schemas"]["ItemView"][];
            /** @description null on the last page */
            next_cursor: string | null;
        };
        ItemView: {
            /** @enum {string} */
            kind: "asset_id" | "url";
            value: string;
            state: components["schemas"]["ItemState"];
            task_id?: string;
            /** Format: date-time */
            submitted_at?: string;
            /** @description VOD's reason for a failed item */
            error?: {
                code: string;
                message: string;
            };
            /**
             * Format: date-time
             * @description a pending item held by the hot-item debounce (asked for again within minRefreshIntervalMs of its last send): when it goes, once for every request that asked meanwhile
             */
            next_attempt_at?: string;
            /** @description a URL refreshed by its asset's refresh (the tenant's assetIdFromUrl): one unit for every waiting URL of the asset; its state and task_id are those of that call, verified against the URLs VOD reports */
            covered_by?: {
                asset_id: string;
            };
        };
        /** @enum {string} */
        ItemState: "pending" | "deferred" | "in_flight" | "submitted" | "completed" | "failed" | "unknown" | "canceled" | "expired";
        DropInAccepted: {
            /** @description our request id; pass it to GET ?task_id= */
            task_id: string;
        };
        DropInResults: {
            /** @description the task's items in order of first appearance */
            refresh_results: components["schemas"]["DropInResult"][];
            /** @description our extension: present only when more items follow */
            next_cursor?: string;
        };
        DropInResult: {
            url: string;
            status: components["schemas"]["VodRefreshStatus"];
        } | {
            /** @description our extension: VOD reports URLs, we report the asset id sent */
            asset_id: string;
            status: components["schemas"]["VodRefreshStatus"];
        };
        /** @enum {string} */
        VodRefreshStatus: "PROCESSING" | "SUCCEED" | "FAILED";
        BudgetView: {
            daily_limit: number;
            /** @description items reserved on the current budget day */
            used: number;
            remaining: number;
            /**
             * Format: date-time
             * @description next local midnight in the tenant's time zone
             */
            resets_at: string;
            /** @description items pending for the tenant, all requests together */
            pending: number;
            /** @description scheduled refreshes waiting for their not_before */
            scheduled: {
                /** @description requests with a not_before still ahead (not coalesced yet, so not in pending) */
                requests: number;
                /** @description their lines, duplicates included (the next 1,000 requests) */
                items: number;
                /** @description the earliest not_before among them */
                next_at: string | null;
            };
            /** @description units of `used` charged to each caller: an item's unit is split equally between the callers that asked for it, and every unit spent, resent or refunded moves the charges with it */
            spent_by_caller: {
                [key: string]: number;
            };
            /** @description units of `used` charged to no caller: requests recorded without one, and a day VOD said was spent (its quota code raises `used` to the limit) */
            unattributed: number;
            /** @description the urgent reserve */
            reserve: {
                /** @description units of each budget day only high-priority items may spend before the release (config reserve.high) */
                high: number;
                /**
                 * Format: date-time
                 * @description when, today, the reserve opens to every priority (reserve.releaseMinutesBeforeReset before resets_at)
                 */
                releases_at: string;
                /** @description units of remaining that normal and low items may not spend now; 0 after the release */
                held_back: number;
            };
            /** @description null, or why sending is paused */
            paused: components["schemas"]["TenantPause"] | null;
            /**
             * Format: date-time
             * @description present while VOD is throttling the tenant
             */
            throttled_until?: string;
            /** @description when everything pending now for the tenant should have gone out and got VOD's verdict; null when nothing is pending or while sending is paused */
            estimated_completion_at: string | null;
            /** @description budget days the pending backlog needs, counting today as 1; null when nothing is pending */
            budget_days_needed: number | null;
        };
        TenantPause: {
            /** @enum {string} */
            reason: "credentials" | "account" | "quota";
            /** @description VOD's error code that paused the tenant */
            code: string;
            message: string;
            /** Format: date-time */
            since: string;
            /**
             * Format: date-time
             * @description when one call will test whether VOD accepts the tenant again
             */
            probe_at: string;
        };
        SpendView: {
            tenant: string;
            /** @description one entry a budget day, oldest first, days with nothing spent included */
            days: components["schemas"]["SpendDay"][];
        };
        SpendDay: {
            /** @description the budget day, YYYY-MM-DD in the tenant's time zone */
            day: string;
            /** @description the day's limit (as it was when its first unit was spent; the configured one for a day nothing was spent on) */
            limit: number;
            /** @description units counted against the day: reserved for calls, less refunds, plus a quota refusal's raise (the budget's `used`) */
            spent: number;
            /** @description units of calls VOD accepted (it gave a task id) */
            accepted: number;
            /** @description units of calls VOD refused for their items (split and resent, or failed) */
            refused: number;
            /** @description units of calls whose outcome is unknown (timeout, 5xx, a worker killed mid-call, a throttle or quota answer): VOD may or may not have counted them */
            unknown_outcome: number;
            /** @description units given back: the call provably never reached VOD */
            refunded: number;
            /** @description units reserved for a call that then waited past the reset and spent on the next day */
            voided: number;
            /** @description units VOD's quota refusal added: the account's quota was used outside this service */
            quota_raise: number;
            /** @description units spent on asset-id and on URL refreshes (refunds not taken off) */
            by_kind: {
                asset_id: number;
                url: number;
            };
            /** @description units charged to each caller: a unit is split equally between the callers whose items it carried; refunds taken off */
            by_caller: {
                [key: string]: number;
            };
            /** @description units charged to no caller: requests without one, and a quota raise */
            unattributed: number;
            /** @description items the spent units carried */
            items_carried: number;
            /** @description units saved: items that cost no unit of their own */
            saved: {
                /** @description items linked to a pending copy of the same item */
                linked: number;
                /** @description items linked to a copy held by the hot-item debounce (minRefreshIntervalMs) */
                debounced: number;
                /** @description URLs carried by their asset's unit beyond the unit's own item (assetIdFromUrl) */
                covered: number;
            };
            /** @description covered URLs VOD's verdict for their asset did not list, or whose asset VOD refused: sent again as URLs */
            cover_misses: number;
        };
        Liveness: {
            /** @constant */
            status: "ok";
        };
        Readiness: {
            /** @constant */
            status: "ok";
            details?: {
                paused_tenants: {
                    tenant: string;
                    reason: string;
                    /** Format: date-time */
                    since: string;
                }[];
            };
        };
        CancelResult: {
            request_id: string;
            tenant: string;
            /** @description pending items canceled by this call: never sent, no budget spent */
            canceled: number;
            /** @description pending items another request still wants: they stay pending and are sent once for it, and they still count as pending for this request too, which completes when they end */
            kept_shared: number;
            /** @description lines of a request still being coalesced that never will be (duplicates included) */
            not_ingested: number;
            status: components["schemas"]["RequestStatus"];
            /** @description the request's unique items by state, after the action */
            counts: {
                pending: number;
                /** @description waiting for the budget reset (next_attempt_at): pending while the tenant's budget for today is spent, or claimed into a batch that must wait for the next budget day */
                deferred: number;
                /** @description claimed into a batch that is being sent or retried */
                in_flight: number;
                submitted: number;
                completed: number;
                failed: number;
                unknown: number;
                /** @description pending items an admin canceled: never sent, final */
                canceled: number;
            };
        };
        RequeueResult: {
            request_id: string;
            tenant: string;
            /** @description failed items made pending again by this call, as new attempts */
            requeued: number;
            status: components["schemas"]["RequestStatus"];
            /** @description the request's unique items by state, after the action */
            counts: {
                pending: number;
                /** @description waiting for the budget reset (next_attempt_at): pending while the tenant's budget for today is spent, or claimed into a batch that must wait for the next budget day */
                deferred: number;
                /** @description claimed into a batch that is being sent or retried */
                in_flight: number;
                submitted: number;
                completed: number;
                failed: number;
                unknown: number;
                /** @description pending items an admin canceled: never sent, final */
                canceled: number;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    submitRefreshRequest: {
        parameters: {
            query?: {
                /** @description text/plain uploads only */
                priority?: components["schemas"]["Priority"];
                /** @description text/plain uploads only: as callback_url in the JSON body */
                callback_url?: string;
                /** @description text/plain uploads only: as not_before in the JSON body */
                not_before?: string;
            };
            header?: {
                /** @description a retry with the same key and body answers with the first request */
                "idempotency-key"?: string;
            };
            path: {
                /** @description tenant id from the service configuration */
                tenant: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["RefreshRequestBody"];
                "text/plain": string;
            };
        };
        responses: {
            /** @description queued */
            202: {
                headers: {
                    /** @description the status URL */
                    location: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RefreshAccepted"];
                };
            };
            /** @description the request is not valid; nothing was queued */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a tenant or request that is unknown or not the caller's (one answer for both) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description conflict (an Idempotency-Key reused with another body) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description unsupported media type or encoding */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a limit was hit: the caller's request rate, or (submissions) the caller's open uploads or the tenant's backlog cap, counted as the body arrives; details.limit says which; retry after Retry-After */
            429: {
                headers: {
                    /** @description whole seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getRefreshRequest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description request id, `<tenant>.<16 hex>` */
                request_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the request */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestView"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a tenant or request that is unknown or not the caller's (one answer for both) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a limit was hit: the caller's request rate, or (submissions) the caller's open uploads or the tenant's backlog cap, counted as the body arrives; details.limit says which; retry after Retry-After */
            429: {
                headers: {
                    /** @description whole seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listRefreshRequestItems: {
        parameters: {
            query?: {
                /** @description next_cursor of the previous page */
                cursor?: string;
                /** @description items per page, 1..1000 */
                limit?: string;
            };
            header?: never;
            path: {
                /** @description request id, `<tenant>.<16 hex>` */
                request_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of items */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemsPage"];
                };
            };
            /** @description the request is not valid; nothing was queued */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a tenant or request that is unknown or not the caller's (one answer for both) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a limit was hit: the caller's request rate, or (submissions) the caller's open uploads or the tenant's backlog cap, counted as the body arrives; details.limit says which; retry after Retry-After */
            429: {
                headers: {
                    /** @description whole seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    dropInShowRefreshResult: {
        parameters: {
            query: {
                /** @description the task_id the POST answered */
                task_id: string;
                /** @description our extension: next_cursor of the previous page */
                cursor?: string;
                /** @description our extension: items per page, 1..10000, default 1000 */
                limit?: string;
            };
            header?: never;
            path: {
                /** @description VOD's project id; the tenant is the caller's tenant configured with this `projectId` */
                project_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the task's items and their status */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DropInResults"];
                };
            };
            /** @description a bad query, or a task_id that is unknown, another caller's or of another project (all alike), as VOD answers: `VOD.10053` "…illegal field: task_id." */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a limit was hit: the caller's request rate, or (submissions) the caller's open uploads or the tenant's backlog cap, counted as the body arrives; details.limit says which; retry after Retry-After */
            429: {
                headers: {
                    /** @description whole seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    dropInRefreshAsset: {
        parameters: {
            query?: never;
            header?: {
                /** @description a retry with the same key and body answers with the first task_id */
                "idempotency-key"?: string;
                /** @description the tenant to use when several of the caller's tenants share the project */
                "x-refresh-tenant"?: string;
            };
            path: {
                /** @description VOD's project id; the tenant is the caller's tenant configured with this `projectId` */
                project_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["DropInRefreshBody"];
            };
        };
        responses: {
            /** @description queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DropInAccepted"];
                };
            };
            /** @description what VOD would refuse, as VOD does: `VOD.10053` "The request parameter is illegal, illegal field: <field>." (our `details` beside it); our own `RFS.0001` only where VOD has no such check (the tenant a project maps to, X-Refresh-Tenant, Idempotency-Key) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the project has no tenant of the caller's (unknown and another caller's alike), or X-Refresh-Tenant names none of them */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description conflict (an Idempotency-Key reused with another body) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description unsupported media type or encoding */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a limit was hit: the caller's request rate, or (submissions) the caller's open uploads or the tenant's backlog cap, counted as the body arrives; details.limit says which; retry after Retry-After */
            429: {
                headers: {
                    /** @description whole seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getBudget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description tenant id from the service configuration */
                tenant: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the budget */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetView"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a tenant or request that is unknown or not the caller's (one answer for both) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a limit was hit: the caller's request rate, or (submissions) the caller's open uploads or the tenant's backlog cap, counted as the body arrives; details.limit says which; retry after Retry-After */
            429: {
                headers: {
                    /** @description whole seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getSpend: {
        parameters: {
            query?: {
                /** @description first budget day (the tenant's time zone), YYYY-MM-DD; default: `to` */
                from?: string;
                /** @description last budget day, YYYY-MM-DD; default: today */
                to?: string;
            };
            header?: never;
            path: {
                /** @description tenant id from the service configuration */
                tenant: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the ledger */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SpendView"];
                    "text/csv": string;
                };
            };
            /** @description the request is not valid; nothing was queued */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a tenant or request that is unknown or not the caller's (one answer for both) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a limit was hit: the caller's request rate, or (submissions) the caller's open uploads or the tenant's backlog cap, counted as the body arrives; details.limit says which; retry after Retry-After */
            429: {
                headers: {
                    /** @description whole seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    liveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Liveness"];
                };
            };
        };
    };
    readiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    openApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        openapi: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    apiDocsPage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    cancelRefreshRequest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description request id, `<tenant>.<16 hex>` */
                request_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description what the cancel did */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CancelResult"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a tenant or request that is unknown or not the caller's (one answer for both) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requeueFailedItems: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description request id, `<tenant>.<16 hex>` */
                request_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description what the requeue did */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequeueResult"];
                };
            };
            /** @description missing or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a tenant or request that is unknown or not the caller's (one answer for both) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description conflict (an Idempotency-Key reused with another body) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description storage is unavailable; retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
