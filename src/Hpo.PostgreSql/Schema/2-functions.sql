-- Hpo's PostgreSQL schema, version 1: the server-side functions, the explicit fast path of the trial rules.
--
-- The rules of a trial's life are written once, in C# (Hpo.Storage.Providers.TrialLifecycle). PostgreSQL decides the hot ones
-- here instead, for speed: starting a trial (claim the oldest waiting trial, else a new one; the budget), finishing it, and both at
-- once, each in one round trip, so that the study row is locked only while the server works, never while a message travels.
-- Each returns a status (PostgreSqlSchema.Status) and, on success, the trial's row. A function that meets a case it leaves to the
-- client (expired leases to mark stale, retries to enqueue) changes nothing and says so (status 4); the client's path then
-- runs TrialLifecycle's operations themselves over PostgreSQL primitives, in one transaction (PostgreSqlStudyStorage.Lifecycle.cs).
-- The differential test (Hpo.Storage.Testing's StudyStorageDifferentialTests, derived in Hpo.PostgreSql.Tests once per path:
-- these functions, and the client-side operations alone) runs the same random operation sequences here and against
-- TrialLifecycle and compares the outcomes.
--
-- - hpo_trial_row is PL/pgSQL: a SQL function that cannot be inlined is parsed and planned again at every call; PL/pgSQL keeps its
--   plans for the connection's life.
-- - hpo_lease_cutoff: after a restart of the server, every running trial has a full lease from the restart, so that an outage
--   longer than the lease does not make the trials of live workers stale.
-- - hpo_process_pending: a worker whose request another worker is doing waits for that worker's commit and returns, instead of
--   queueing for the study's lock only to find its request done; the leader does the requests without building the trial rows
--   that nobody reads (hpo_finish_and_start_ids).

CREATE FUNCTION hpo_status(p_status integer, p_study bigint) RETURNS hpo_trial_result LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    r hpo_trial_result;
BEGIN
    r.status := p_status;
    r.study_id := p_study;
    RETURN r;
END
$$;

CREATE FUNCTION hpo_trial_row(p_status integer, p_trial bigint) RETURNS hpo_trial_result LANGUAGE plpgsql STABLE AS $$
DECLARE
    r hpo_trial_result;
BEGIN
    SELECT p_status, t.study_id, t.id, t.number, t.state, t.params, t.vals, t.user_attrs::text, t.system_attrs::text,
           t.created_at, t.started_at, t.finished_at, t.owner, t.heartbeat, t.fail_reason, t.exception_type, iv.steps, iv.ivals
    INTO r FROM hpo_trials t
    LEFT JOIN LATERAL (SELECT array_agg(v.step ORDER BY v.step) AS steps, array_agg(v.value ORDER BY v.step) AS ivals
        FROM hpo_trial_values v WHERE v.trial_id = t.id) iv ON true
    WHERE t.id = p_trial;
    RETURN r;
END
$$;

CREATE FUNCTION hpo_start_trial(p_study bigint, p_owner text, p_now timestamptz, p_lease interval, p_budget integer, p_async boolean, p_request uuid)
RETURNS SETOF hpo_trial_result LANGUAGE plpgsql AS $$
DECLARE
    s hpo_studies%ROWTYPE;
    v_now timestamptz := COALESCE(p_now, statement_timestamp());
    v_id bigint;
BEGIN
    IF p_async THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
    SELECT * INTO s FROM hpo_studies WHERE id = p_study FOR UPDATE;
    IF NOT FOUND THEN RETURN NEXT hpo_status(1, p_study); RETURN; END IF;
    -- A call sent again after a lost connection returns the trial the first call started, if it did.
    SELECT t.id INTO v_id FROM hpo_trials t WHERE t.study_id = p_study AND t.state = 1 AND t.owner = p_owner AND t.start_request = p_request;
    IF FOUND THEN RETURN NEXT hpo_trial_row(0, v_id); RETURN; END IF;
    IF EXISTS (SELECT 1 FROM hpo_trials WHERE study_id = p_study AND state = 1 AND heartbeat < hpo_lease_cutoff(p_now, p_lease)) THEN
        RETURN NEXT hpo_status(4, p_study); RETURN;
    END IF;
    IF p_budget IS NOT NULL AND s.n_complete + s.n_pruned + s.n_failed + s.n_running >= p_budget THEN
        RETURN NEXT hpo_status(5, p_study); RETURN;
    END IF;
    SELECT id INTO v_id FROM hpo_trials WHERE study_id = p_study AND state = 0 ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        UPDATE hpo_trials SET state = 1, owner = p_owner, heartbeat = v_now, started_at = v_now, version = s.version + 1, start_request = p_request WHERE id = v_id;
        UPDATE hpo_studies SET version = s.version + 1, n_waiting = n_waiting - 1, n_running = n_running + 1 WHERE id = p_study;
    ELSE
        INSERT INTO hpo_trials (study_id, number, state, created_at, started_at, owner, heartbeat, version, start_request)
        VALUES (p_study, s.next_number, 1, v_now, v_now, p_owner, v_now, s.version + 1, p_request) RETURNING id INTO v_id;
        UPDATE hpo_studies SET version = s.version + 1, next_number = next_number + 1, n_running = n_running + 1 WHERE id = p_study;
    END IF;
    RETURN NEXT hpo_trial_row(0, v_id);
END
$$;

-- Locks the study row of a trial and returns the trial's state as it stands under the lock, or null when there is no trial.
CREATE FUNCTION hpo_lock_trial(p_trial bigint, OUT study hpo_studies, OUT state smallint) LANGUAGE plpgsql AS $$
BEGIN
    SELECT * INTO study FROM hpo_studies WHERE id = (SELECT t.study_id FROM hpo_trials t WHERE t.id = p_trial) FOR UPDATE;
    IF FOUND THEN
        SELECT t.state INTO state FROM hpo_trials t WHERE t.id = p_trial;
    END IF;
END
$$;

-- Parameters under a reservation: one statement, the trial's row only.
CREATE FUNCTION hpo_set_params(p_trial bigint, p_params text, p_async boolean)
RETURNS SETOF hpo_trial_result LANGUAGE plpgsql AS $$
DECLARE
    l record;
BEGIN
    IF p_async THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
    UPDATE hpo_trials SET params = p_params, version = params_version, params_version = NULL
    WHERE id = p_trial AND params_version IS NOT NULL AND state IN (0, 1) AND params = '{}';
    IF FOUND THEN RETURN NEXT hpo_trial_row(0, p_trial); RETURN; END IF;
    -- No reservation (a trial started otherwise), or it went with the trial's finish or its parameters.
    l := hpo_lock_trial(p_trial);
    IF l.state IS NULL THEN RETURN NEXT hpo_status(1, NULL); RETURN; END IF;
    IF l.state NOT IN (0, 1) THEN RETURN NEXT hpo_trial_row(2, p_trial); RETURN; END IF;
    IF (SELECT t.params FROM hpo_trials t WHERE t.id = p_trial) <> '{}' THEN RETURN NEXT hpo_trial_row(3, p_trial); RETURN; END IF;
    UPDATE hpo_trials SET params = p_params, version = (l.study).version + 1, params_version = NULL WHERE id = p_trial;
    UPDATE hpo_studies SET version = (l.study).version + 1 WHERE id = (l.study).id;
    RETURN NEXT hpo_trial_row(0, p_trial);
END
$$;

CREATE FUNCTION hpo_report(p_trial bigint, p_step bigint, p_value double precision, p_async boolean)
RETURNS SETOF hpo_trial_result LANGUAGE plpgsql AS $$
DECLARE
    l record;
BEGIN
    IF p_async THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
    l := hpo_lock_trial(p_trial);
    IF l.state IS NULL THEN RETURN NEXT hpo_status(1, NULL); RETURN; END IF;
    IF l.state NOT IN (0, 1) THEN RETURN NEXT hpo_trial_row(2, p_trial); RETURN; END IF;
    INSERT INTO hpo_trial_values (trial_id, step, value) VALUES (p_trial, p_step, p_value)
    ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value;
    UPDATE hpo_trials SET version = (l.study).version + 1 WHERE id = p_trial;
    UPDATE hpo_studies SET version = (l.study).version + 1 WHERE id = (l.study).id;
    RETURN NEXT hpo_status(0, (l.study).id);
END
$$;

CREATE FUNCTION hpo_finish_trial(p_trial bigint, p_state smallint, p_vals double precision[], p_reason text, p_type text, p_now timestamptz, p_async boolean)
RETURNS SETOF hpo_trial_result LANGUAGE plpgsql AS $$
DECLARE
    l record;
    v_now timestamptz := COALESCE(p_now, statement_timestamp());
BEGIN
    IF p_async THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
    l := hpo_lock_trial(p_trial);
    IF l.state IS NULL THEN RETURN NEXT hpo_status(1, NULL); RETURN; END IF;
    IF l.state NOT IN (0, 1) THEN RETURN NEXT hpo_trial_row(2, p_trial); RETURN; END IF;
    UPDATE hpo_trials SET state = p_state, vals = p_vals, fail_reason = p_reason, exception_type = p_type,
        finished_at = v_now, started_at = COALESCE(started_at, v_now), version = (l.study).version + 1, params_version = NULL
    WHERE id = p_trial;
    UPDATE hpo_studies SET version = (l.study).version + 1,
        n_waiting = n_waiting - (l.state = 0)::integer, n_running = n_running - (l.state = 1)::integer,
        n_complete = n_complete + (p_state = 2)::integer, n_pruned = n_pruned + (p_state = 3)::integer,
        n_failed = n_failed + (p_state = 4)::integer
    WHERE id = (l.study).id;
    RETURN NEXT hpo_trial_row(0, p_trial);
END
$$;

-- Records a request id; false when a call with this id ran before (waiting for it if it is still running).
CREATE FUNCTION hpo_new_request(p_request uuid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM hpo_requests WHERE created_at < statement_timestamp() - interval '1 day';
    INSERT INTO hpo_requests (request, created_at) VALUES (p_request, statement_timestamp()) ON CONFLICT (request) DO NOTHING;
    RETURN FOUND;
END
$$;

CREATE FUNCTION hpo_create_study(p_name text, p_def text, p_now timestamptz, p_request uuid)
RETURNS TABLE (status integer, id bigint, created_at timestamptz) LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    IF NOT hpo_new_request(p_request) THEN
        SELECT r.result INTO v_id FROM hpo_requests r WHERE r.request = p_request;
        IF v_id IS NULL THEN RETURN QUERY SELECT 1, NULL::bigint, NULL::timestamptz; RETURN; END IF;
        RETURN QUERY SELECT 0, s.id, s.created_at FROM hpo_studies s WHERE s.id = v_id;
        RETURN;
    END IF;
    INSERT INTO hpo_studies AS s (name, definition, created_at) VALUES (p_name, p_def, COALESCE(p_now, statement_timestamp()))
    ON CONFLICT (name) DO NOTHING RETURNING s.id INTO v_id;
    IF v_id IS NULL THEN RETURN QUERY SELECT 1, NULL::bigint, NULL::timestamptz; RETURN; END IF;
    UPDATE hpo_requests SET result = v_id WHERE request = p_request;
    RETURN QUERY SELECT 0, s.id, s.created_at FROM hpo_studies s WHERE s.id = v_id;
END
$$;

CREATE FUNCTION hpo_delete_study(p_name text, p_request uuid) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    IF NOT hpo_new_request(p_request) THEN
        RETURN (SELECT r.result = 1 FROM hpo_requests r WHERE r.request = p_request);
    END IF;
    -- The trials and their values go with the study (ON DELETE CASCADE).
    DELETE FROM hpo_studies WHERE name = p_name RETURNING id INTO v_id;
    DELETE FROM hpo_pending WHERE study_id = v_id;
    UPDATE hpo_requests SET result = (v_id IS NOT NULL)::integer WHERE request = p_request;
    RETURN v_id IS NOT NULL;
END
$$;

CREATE FUNCTION hpo_enqueue(p_study bigint, p_params text, p_now timestamptz, p_request uuid)
RETURNS SETOF hpo_trial_result LANGUAGE plpgsql AS $$
DECLARE
    v_number integer;
    v_version bigint;
    v_id bigint;
BEGIN
    IF NOT hpo_new_request(p_request) THEN
        SELECT r.result INTO v_id FROM hpo_requests r WHERE r.request = p_request;
        IF v_id IS NULL OR NOT EXISTS (SELECT 1 FROM hpo_trials WHERE id = v_id) THEN RETURN NEXT hpo_status(1, p_study); RETURN; END IF;
        RETURN NEXT hpo_trial_row(0, v_id);
        RETURN;
    END IF;
    UPDATE hpo_studies SET next_number = next_number + 1, version = version + 1, n_waiting = n_waiting + 1
    WHERE id = p_study RETURNING next_number - 1, version INTO v_number, v_version;
    IF NOT FOUND THEN RETURN NEXT hpo_status(1, p_study); RETURN; END IF;
    INSERT INTO hpo_trials (study_id, number, state, params, created_at, version)
    VALUES (p_study, v_number, 0, p_params, COALESCE(p_now, statement_timestamp()), v_version) RETURNING id INTO v_id;
    UPDATE hpo_requests SET result = v_id WHERE request = p_request;
    RETURN NEXT hpo_trial_row(0, v_id);
END
$$;

CREATE FUNCTION hpo_finish_and_start(p_trial bigint, p_state smallint, p_vals double precision[], p_reason text, p_type text,
    p_now timestamptz, p_owner text, p_lease interval, p_budget integer, p_request uuid, p_reserve boolean, p_async boolean)
RETURNS SETOF hpo_trial_result LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    IF p_async THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
    c := hpo_finish_and_start_ids(p_trial, p_state, p_vals, p_reason, p_type, p_now, p_owner, p_lease, p_budget, p_request, p_reserve);
    IF c.o_finish = 1 THEN RETURN NEXT hpo_status(1, NULL); RETURN; END IF;
    RETURN NEXT hpo_trial_row(c.o_finish, p_trial);
    IF c.o_next_id IS NOT NULL THEN
        RETURN NEXT hpo_trial_row(c.o_next, c.o_next_id);
    ELSIF c.o_next IS NOT NULL THEN
        RETURN NEXT hpo_status(c.o_next, c.o_study);
    END IF;
END
$$;

-- The request's row commits like every other write: synchronously, unless the storage's durability is Grouped.
CREATE FUNCTION hpo_request_finish_and_start(p_request uuid, p_study bigint, p_trial bigint, p_state smallint,
    p_vals double precision[], p_reason text, p_type text, p_now timestamptz, p_owner text, p_lease interval,
    p_budget integer, p_reserve boolean, p_async boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_async THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
    -- The request that started this trial has had its answer (its worker is finishing the trial it started): its row
    -- goes, a primary-key delete, so that the table holds about one request per worker however large the study grows.
    -- A request resent after that is still answered alike by hpo_finish_and_start (a finished trial, and the trial that
    -- the request started).
    DELETE FROM hpo_pending WHERE request = (SELECT t.start_request FROM hpo_trials t WHERE t.id = p_trial);
    INSERT INTO hpo_pending (request, study_id, trial_id, state, vals, reason, exception_type, at, owner, lease, budget, reserve, created_at)
    VALUES (p_request, p_study, p_trial, p_state, p_vals, p_reason, p_type, p_now, p_owner, p_lease, p_budget, p_reserve, clock_timestamp())
    ON CONFLICT (request) DO NOTHING;
END
$$;

-- The leader holds the study's advisory lock (transaction level: released once its commit is on disk). A worker whose request
-- is not done and who cannot lead waits for the lock in shared mode, which every such worker gets at once when the leader
-- commits, and releases it at once (session level, so that it can); then it looks again: done by that leader, or it leads.
CREATE FUNCTION hpo_process_pending(p_study bigint, p_request uuid, p_async boolean)
RETURNS SETOF hpo_trial_result LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    q hpo_pending%ROWTYPE;
    c record;
    v_key bigint := 7526752014741569536 + p_study;
    v_since timestamptz;
    v_held boolean := false;
BEGIN
    IF p_async THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
    LOOP
        SELECT * INTO q FROM hpo_pending WHERE request = p_request;
        IF NOT FOUND THEN RETURN NEXT hpo_status(6, p_study); RETURN; END IF;
        EXIT WHEN q.done;
        IF pg_try_advisory_xact_lock(v_key) THEN
            -- Read again under the lock: a leader may have committed this request since the read above.
            SELECT * INTO q FROM hpo_pending WHERE request = p_request;
            EXIT WHEN q.done;
            -- A variable, not clock_timestamp() in the query: a volatile call cannot bound an index scan, which then walks
            -- every entry of the study's open requests (and the dead ones that vacuum has not yet removed).
            v_since := clock_timestamp() - interval '5 seconds';
            -- Its own request, and the others recorded in the last seconds: a bound, so that the scan does not walk the
            -- index entries of all the requests done before vacuum removes them. An older request is done by its own
            -- worker, which always does its own.
            FOR q IN SELECT * FROM hpo_pending WHERE request = p_request
                UNION ALL
                SELECT * FROM (SELECT * FROM hpo_pending WHERE study_id = p_study AND NOT done AND request <> p_request
                    AND created_at > v_since ORDER BY created_at) o LOOP
                c := hpo_finish_and_start_ids(q.trial_id, q.state, q.vals, q.reason, q.exception_type, q.at, q.owner, q.lease, q.budget, q.request, q.reserve);
                UPDATE hpo_pending SET done = true, finish_status = c.o_finish, next_status = c.o_next, next_id = c.o_next_id WHERE request = q.request;
            END LOOP;
            -- The requests whose worker sent no next one (it stopped, or its trial went to another path): a minute is ample
            -- for a resent request after a lost acknowledgement, and hpo_finish_and_start answers a later one alike.
            IF random() < 0.01 THEN
                DELETE FROM hpo_pending WHERE study_id = p_study AND done AND created_at < clock_timestamp() - interval '1 minute';
            END IF;
            SELECT * INTO q FROM hpo_pending WHERE request = p_request;
            EXIT;
        END IF;
        -- Another worker leads: wait for its commit (every waiter gets the shared lock at once), then look again. When no
        -- worker holds the lock but one took it (or asks for it) between the calls, queue for it rather than spin: on
        -- getting it the loop finds the request done, or leads. A session-level lock outlives the transaction: never
        -- leave it held (a cancel can land between the calls; unlocking a lock not held only warns).
        BEGIN
            v_held := true;
            IF pg_try_advisory_lock_shared(v_key) THEN
                PERFORM pg_advisory_unlock_shared(v_key);
                v_held := false;
                PERFORM pg_advisory_xact_lock(v_key);
            ELSE
                PERFORM pg_advisory_lock_shared(v_key);
                PERFORM pg_advisory_unlock_shared(v_key);
                v_held := false;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            IF v_held THEN PERFORM pg_advisory_unlock_shared(v_key); END IF;
            RAISE;
        END;
    END LOOP;
    IF q.finish_status = 1 THEN RETURN NEXT hpo_status(1, NULL); RETURN; END IF;
    RETURN NEXT hpo_trial_row(q.finish_status, q.trial_id);
    IF q.next_id IS NOT NULL THEN
        RETURN NEXT hpo_trial_row(q.next_status, q.next_id);
    ELSIF q.next_status IS NOT NULL THEN
        RETURN NEXT hpo_status(q.next_status, p_study);
    END IF;
END
$$;

-- The heartbeats older than this have lost their lease: the time a lease ago, by the workers' clock when they pass one (tests),
-- else by the database's. A server that started less than a lease ago (a restart, which every worker waited out) gives every
-- running trial a full lease from its start: none has lost its lease to the outage.
CREATE FUNCTION hpo_lease_cutoff(p_now timestamptz, p_lease interval) RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_now IS NOT NULL THEN p_now - p_lease
        WHEN pg_postmaster_start_time() > statement_timestamp() - p_lease THEN '-infinity'::timestamptz
        ELSE statement_timestamp() - p_lease
    END
$$;

-- The work of hpo_finish_and_start, answering with statuses and ids only: a group's leader needs no trial rows.
-- o_finish: 0 done, 1 no such trial, 2 finished before (a resent call); o_next: 0 started o_next_id, 4 leases expired,
-- 5 budget full, null nothing started.
CREATE FUNCTION hpo_finish_and_start_ids(p_trial bigint, p_state smallint, p_vals double precision[], p_reason text, p_type text,
    p_now timestamptz, p_owner text, p_lease interval, p_budget integer, p_request uuid, p_reserve boolean,
    OUT o_study bigint, OUT o_finish integer, OUT o_next integer, OUT o_next_id bigint) LANGUAGE plpgsql AS $$
DECLARE
    l record;
    s hpo_studies%ROWTYPE;
    v_now timestamptz := COALESCE(p_now, statement_timestamp());
    v_id bigint;
    v_version bigint;
    v_reserve boolean := false;
    v_check boolean;
BEGIN
    l := hpo_lock_trial(p_trial);
    IF l.state IS NULL THEN o_finish := 1; RETURN; END IF;
    s := l.study;
    o_study := s.id;
    IF l.state NOT IN (0, 1) THEN
        o_finish := 2;
        SELECT t.id INTO v_id FROM hpo_trials t WHERE t.study_id = s.id AND t.state = 1 AND t.owner = p_owner AND t.start_request = p_request;
        IF FOUND THEN o_next := 0; o_next_id := v_id; END IF;
        RETURN;
    END IF;
    v_version := s.version + 1;
    UPDATE hpo_trials SET state = p_state, vals = p_vals, fail_reason = p_reason, exception_type = p_type,
        finished_at = v_now, started_at = COALESCE(started_at, v_now), version = v_version, params_version = NULL
    WHERE id = p_trial;
    s.n_waiting := s.n_waiting - (l.state = 0)::integer;
    s.n_running := s.n_running - (l.state = 1)::integer;
    s.n_complete := s.n_complete + (p_state = 2)::integer;
    s.n_pruned := s.n_pruned + (p_state = 3)::integer;
    s.n_failed := s.n_failed + (p_state = 4)::integer;
    o_finish := 0;
    -- Expired leases, at most every eighth of the lease (a clock that went back counts as due).
    v_check := s.leases_checked_at IS NULL OR s.leases_checked_at > v_now OR s.leases_checked_at <= v_now - p_lease / 8;
    IF v_check AND EXISTS (SELECT 1 FROM hpo_trials WHERE study_id = s.id AND state = 1 AND heartbeat < hpo_lease_cutoff(p_now, p_lease)) THEN
        o_next := 4;
    ELSE
        IF v_check THEN s.leases_checked_at := v_now; END IF;
        IF p_budget IS NOT NULL AND s.n_complete + s.n_pruned + s.n_failed + s.n_running >= p_budget THEN
            o_next := 5;
        ELSE
            SELECT id INTO v_id FROM hpo_trials WHERE study_id = s.id AND state = 0 ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED;
            IF FOUND THEN
                v_reserve := p_reserve AND (SELECT t.params FROM hpo_trials t WHERE t.id = v_id) = '{}';
                UPDATE hpo_trials SET state = 1, owner = p_owner, heartbeat = v_now, started_at = v_now, version = v_version,
                    start_request = p_request, params_version = CASE WHEN v_reserve THEN v_version + 1 END
                WHERE id = v_id;
                s.n_waiting := s.n_waiting - 1;
            ELSE
                v_reserve := p_reserve;
                INSERT INTO hpo_trials (study_id, number, state, created_at, started_at, owner, heartbeat, version, start_request, params_version)
                VALUES (s.id, s.next_number, 1, v_now, v_now, p_owner, v_now, v_version, p_request, CASE WHEN v_reserve THEN v_version + 1 END)
                RETURNING id INTO v_id;
                s.next_number := s.next_number + 1;
            END IF;
            s.n_running := s.n_running + 1;
            v_version := v_version + v_reserve::integer;
        END IF;
    END IF;
    UPDATE hpo_studies SET version = v_version, next_number = s.next_number, n_waiting = s.n_waiting, n_running = s.n_running,
        n_complete = s.n_complete, n_pruned = s.n_pruned, n_failed = s.n_failed, leases_checked_at = s.leases_checked_at
    WHERE id = s.id;
    IF v_id IS NOT NULL THEN o_next := 0; o_next_id := v_id; END IF;
END
$$;

