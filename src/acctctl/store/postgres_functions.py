"""The PostgreSQL store's own guard: members, the history chain, and the only write paths
(the four write functions: postgres_write_functions.py).

A team member's login may read the tables and execute four functions, nothing
more (``store members add`` grants exactly that). The functions run with the
store owner's rights (``SECURITY DEFINER``) and a fixed ``search_path`` (our schema,
then ``pg_temp``), so nothing a member creates can stand in for our tables or
functions. Each one, in the caller's transaction:

* takes the store's advisory lock, so direct callers queue with acctctl's writers;
* takes who is acting from the login (``session_user`` → ``acctctl_members``); only the
  store's owner (the role owning the tables, or a superuser) may name another user;
* takes the time from the server (``now()``), or from the caller only on a sandbox
  store, and refuses a time before the latest history record;
* checks authorization and every eligibility rule again (``acctctl_eligibility``, the
  same table as rules.py: tests/test_team.py runs test_rules.py's cases through it);
* writes the change and its history record (``acctctl_record``: the hash of
  history.py, computed in SQL), or raises and writes nothing.

Failures are raised with SQLSTATEs of our own, which the Python side turns into the
usual errors and exit codes (``postgres.py``): ACT01 a time before the latest record
(exit 6), ACT02 a bad call (2), ACT03 a rule says no (DETAIL: the codes; 3 or 5),
ACT04 not found (4), ACT05 not allowed: an unmapped login, or impersonation (5).
"""

from __future__ import annotations

from acctctl.store.postgres_write_functions import LOCK, WRITES

# Executable by members (granted one by one); every other function is the owner's.
MEMBER_FUNCTIONS = (
    "acctctl_settle(text, timestamptz)",
    "acctctl_submit_change(text, text, boolean, interval, text, timestamptz)",
    "acctctl_cancel_change(text, text, timestamptz)",
    "acctctl_set_auto_renew(text, boolean, text, timestamptz)",
)

_TABLES_AND_TRIGGER = (
    """CREATE TABLE acctctl_members (
        login text COLLATE "C" PRIMARY KEY,
        email text NOT NULL)""",
    """CREATE TABLE acctctl_history (
        seq bigint PRIMARY KEY,
        event text NOT NULL CHECK (event IN ('submitted', 'applied', 'cancelled')),
        change text COLLATE "C" NOT NULL,
        at timestamptz NOT NULL,
        by_user text,
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'))""",
    # Even the owner's own SQL cannot edit or delete a record by accident (TRUNCATE, used
    # only by `store import --force`, fires no row trigger).
    """CREATE FUNCTION acctctl_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the acctctl history is append-only: records are never changed'
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER acctctl_history_append_only BEFORE UPDATE OR DELETE ON acctctl_history
        FOR EACH ROW EXECUTE FUNCTION acctctl_history_append_only()""",
)

_HASH = (
    """CREATE FUNCTION acctctl_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END $$""",
    # Microseconds since 1970, exactly (extract(epoch) is a double before PostgreSQL 14).
    """CREATE FUNCTION acctctl_micros(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT (extract(epoch FROM date_trunc('second', t))::bigint * 1000000
                + extract(microseconds FROM t)::bigint % 1000000)::text $$""",
    """CREATE FUNCTION acctctl_event_hash(p_prev text, p_event text, p_change text,
            p_at timestamptz, p_by text, c acctctl_changes) RETURNS text
        LANGUAGE sql STABLE AS $$
        SELECT encode(sha256(convert_to(
            acctctl_field('acctctl-history/1') || acctctl_field(p_prev)
            || acctctl_field(p_event) || acctctl_field(p_change)
            || acctctl_field(acctctl_micros(p_at)) || acctctl_field(p_by)
            || CASE WHEN p_event = 'submitted' THEN
                   acctctl_field(CASE WHEN c.contract IS NOT NULL
                                      THEN 'contract' ELSE 'subscription' END)
                   || acctctl_field(c.holder)
                   || acctctl_field(array_to_string(c.from_partners, ','))
                   || acctctl_field(c.to_partner) || acctctl_field(c.by_user)
                   || acctctl_field(acctctl_micros(c.submitted_at))
                   || acctctl_field(acctctl_micros(c.effective_at))
               ELSE repeat('-', 7) END, 'UTF8')), 'hex') $$""",
    f"""CREATE FUNCTION acctctl_record(p_event text, p_change text, p_at timestamptz,
            p_by text) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        v_last acctctl_history;
        v_change acctctl_changes;
    BEGIN
        {LOCK}
        SELECT * INTO v_last FROM acctctl_history ORDER BY seq DESC LIMIT 1;
        IF v_last.at > p_at THEN
            RAISE EXCEPTION 'a write dated % is before the latest history record (%)',
                p_at, v_last.at USING ERRCODE = 'ACT01', DETAIL = v_last.at::text;
        END IF;
        SELECT * INTO v_change FROM acctctl_changes WHERE id = p_change;
        INSERT INTO acctctl_history (seq, event, change, at, by_user, hash)
        VALUES (coalesce(v_last.seq, 0) + 1, p_event, p_change, p_at, p_by,
                acctctl_event_hash(coalesce(v_last.hash, repeat('0', 64)), p_event, p_change,
                                   p_at, p_by, v_change));
    END $$""",
)

_RULES = (
    # The eligibility rules of rules.py, in the same order, as codes (SPEC §3).
    """CREATE FUNCTION acctctl_eligibility(p_today date, p_contract text, p_manager text,
            p_term_end date, p_auto_renew boolean, p_agreement text, p_partners text[],
            p_actor text, p_user_email text, p_user_role text, p_pending_to text,
            p_new_partner text, p_new_partner_active boolean, p_replace_all boolean)
        RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
        v text[] := '{}';
        v_left integer := p_term_end - p_today;
    BEGIN
        IF p_actor IS NOT NULL THEN
            IF p_user_email IS NULL THEN
                v := v || 'unknown-user'::text;
            ELSIF NOT (p_user_email = p_manager OR p_user_role = 'primary_admin') THEN
                v := v || 'not-contract-manager'::text;
            END IF;
        END IF;
        IF p_contract IS NULL THEN v := v || 'new-buying-model'::text; END IF;
        IF p_auto_renew THEN v := v || 'auto-renew'::text; END IF;
        IF p_agreement = 'eba-token-flex' THEN v := v || 'token-flex'::text; END IF;
        IF v_left < 0 THEN
            v := v || 'expired'::text;
        ELSIF v_left <= 90 THEN
            v := v || 'expiring-soon'::text;
        END IF;
        IF p_pending_to IS NOT NULL AND (p_new_partner IS NULL OR p_pending_to <> p_new_partner)
        THEN
            v := v || 'change-pending'::text;
        END IF;
        IF p_new_partner IS NOT NULL AND NOT p_new_partner_active THEN
            v := v || 'partner-inactive'::text;
        END IF;
        IF p_replace_all IS FALSE AND cardinality(p_partners) > 1 THEN
            v := v || 'multiple-partners'::text;
        END IF;
        RETURN v;
    END $$""",
)

_IDENTITY = (
    """CREATE FUNCTION acctctl_is_owner() RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT pg_has_role(session_user, c.relowner, 'MEMBER')
               OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user),
                           false)
        FROM pg_class c WHERE c.oid = 'acctctl_meta'::regclass $$""",
    """CREATE FUNCTION acctctl_whoami(OUT login text, OUT email text, OUT owner boolean)
        LANGUAGE sql STABLE SECURITY DEFINER AS $$
        SELECT session_user::text,
               (SELECT m.email FROM acctctl_members m WHERE m.login = session_user),
               acctctl_is_owner() $$""",
    # The account user acting: the login's, or (the owner only) the one asked for. Every
    # field is NULL when the account does not know that user (rule unknown-user).
    """CREATE FUNCTION acctctl_actor(p_as text) RETURNS acctctl_users
        LANGUAGE plpgsql STABLE AS $$
    DECLARE
        v_asked text := nullif(btrim(p_as), '');
        v_email text;
        v_user acctctl_users;
    BEGIN
        SELECT m.email INTO v_email FROM acctctl_members m WHERE m.login = session_user;
        IF acctctl_is_owner() THEN
            v_email := coalesce(v_asked, v_email);
            IF v_email IS NULL THEN
                RAISE EXCEPTION 'who is acting? name an account user' USING ERRCODE = 'ACT02',
                    DETAIL = 'who';
            END IF;
        ELSIF v_email IS NULL THEN
            RAISE EXCEPTION 'the login % is not a member of this acctctl store', session_user
                USING ERRCODE = 'ACT05', DETAIL = json_build_object('login', session_user);
        ELSIF v_asked IS NOT NULL AND lower(v_asked) <> lower(v_email) THEN
            RAISE EXCEPTION 'the login % is %, and may not act as %', session_user, v_email,
                v_asked USING ERRCODE = 'ACT05', DETAIL = json_build_object(
                    'login', session_user, 'email', v_email, 'asked', v_asked);
        END IF;
        SELECT * INTO v_user FROM acctctl_users u WHERE u.email = v_email;
        IF NOT FOUND THEN
            SELECT * INTO v_user FROM acctctl_users u WHERE lower(u.email) = lower(v_email)
                ORDER BY u.ord LIMIT 1;
        END IF;
        RETURN v_user;
    END $$""",
    """CREATE FUNCTION acctctl_clock(p_now timestamptz) RETURNS timestamptz
        LANGUAGE plpgsql STABLE AS $$
    DECLARE
        v_at timestamptz := now();
        v_latest timestamptz;
    BEGIN
        IF p_now IS NOT NULL
           AND EXISTS (SELECT FROM acctctl_meta WHERE key = 'sandbox' AND value = 'true') THEN
            v_at := p_now;
        END IF;
        SELECT at INTO v_latest FROM acctctl_history ORDER BY seq DESC LIMIT 1;
        IF v_latest > v_at THEN
            RAISE EXCEPTION 'a write dated % is before the latest history record (%)',
                v_at, v_latest USING ERRCODE = 'ACT01', DETAIL = v_latest::text;
        END IF;
        RETURN v_at;
    END $$""",
    # Locks the holder's row (contract, or new-model subscription); its manager.
    """CREATE FUNCTION acctctl_lock_holder(p_holder text) RETURNS text
        LANGUAGE plpgsql AS $$
    DECLARE
        v_manager text;
    BEGIN
        SELECT manager INTO v_manager FROM acctctl_contracts WHERE number = p_holder FOR UPDATE;
        IF NOT FOUND THEN
            SELECT manager INTO v_manager FROM acctctl_subscriptions
                WHERE id = p_holder AND contract IS NULL FOR UPDATE;
        END IF;
        RETURN v_manager;
    END $$""",
    """CREATE FUNCTION acctctl_authorize(p_user acctctl_users, p_manager text) RETURNS void
        LANGUAGE plpgsql AS $$
    BEGIN
        IF p_user.email IS NULL THEN
            RAISE EXCEPTION 'not a user of the account' USING ERRCODE = 'ACT03',
                DETAIL = 'unknown-user';
        ELSIF NOT (p_user.email = p_manager OR p_user.role = 'primary_admin') THEN
            RAISE EXCEPTION '% is neither the contract manager nor the primary admin',
                p_user.email USING ERRCODE = 'ACT03', DETAIL = 'not-contract-manager';
        END IF;
    END $$""",
)

# Every acctctl function: a fixed search_path (our schema, pg_temp last) and UTC, and no
# EXECUTE for PUBLIC (PostgreSQL grants it by default); members get theirs one by one.
_LOCK_DOWN = (
    """DO $$
    DECLARE
        f regprocedure;
    BEGIN
        FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
                 WHERE p.pronamespace = current_schema()::regnamespace
                   AND p.proname LIKE 'acctctl\\_%'
        LOOP
            EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f,
                           current_schema());
            EXECUTE format('ALTER FUNCTION %s SET timezone = %L', f, 'UTC');
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        END LOOP;
    END $$""",
    # Any login may ask who it is to this store (its own login and mapping, nothing
    # else), so an unmapped one is told how to be mapped rather than "permission denied".
    "GRANT EXECUTE ON FUNCTION acctctl_whoami() TO PUBLIC",
)

MIGRATION = (*_TABLES_AND_TRIGGER, *_HASH, *_RULES, *_IDENTITY, *WRITES, *_LOCK_DOWN)
