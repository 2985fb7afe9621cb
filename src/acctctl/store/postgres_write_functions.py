"""The only write paths of a PostgreSQL store: the four functions a member may execute
(settle, submit, cancel, set auto-renew), each under the store's advisory lock, with
the owner's rights (postgres_functions.py says why and how they are locked down).

The text is part of migration 2, which has shipped: it must stay byte for byte what
it was (the pieces below are joined into the same strings).
"""

from __future__ import annotations

# The advisory lock key ("acctctl" in ASCII), taken by every write function.
STORE_LOCK = 0x61636374_63746C
LOCK = f"PERFORM pg_advisory_xact_lock({STORE_LOCK});"

# Read the subscription a call names into v_sub, or raise "not found" (ACT04).
_FIND_SUBSCRIPTION = """SELECT * INTO v_sub FROM acctctl_subscriptions WHERE id = p_subscription;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no subscription %', p_subscription USING ERRCODE = 'ACT04',
                DETAIL = 'subscription';
        END IF;"""

WRITES = (
    """CREATE FUNCTION acctctl_settle_holder(p_holder text, p_at timestamptz) RETURNS text
        LANGUAGE plpgsql AS $$
    DECLARE
        v acctctl_changes;
    BEGIN
        SELECT * INTO v FROM acctctl_changes WHERE holder = p_holder AND status = 'pending'
            ORDER BY submitted_at DESC, id DESC LIMIT 1;
        IF NOT FOUND OR v.effective_at > p_at THEN
            RETURN NULL;
        END IF;
        UPDATE acctctl_changes SET status = 'applied' WHERE id = v.id;
        IF v.contract IS NOT NULL THEN
            UPDATE acctctl_contracts SET partners = ARRAY[v.to_partner] WHERE number = v.contract;
        ELSE
            UPDATE acctctl_subscriptions SET partners = ARRAY[v.to_partner]
                WHERE id = v.subscription;
        END IF;
        PERFORM acctctl_record('applied', v.id, p_at, NULL);
        RETURN v.id;
    END $$""",
    f"""CREATE FUNCTION acctctl_settle(p_holder text, p_now timestamptz DEFAULT NULL)
        RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN
        {LOCK}
        IF NOT acctctl_is_owner()
           AND NOT EXISTS (SELECT FROM acctctl_members WHERE login = session_user) THEN
            RAISE EXCEPTION 'the login % is not a member of this acctctl store', session_user
                USING ERRCODE = 'ACT05', DETAIL = json_build_object('login', session_user);
        END IF;
        PERFORM acctctl_lock_holder(p_holder);
        RETURN acctctl_settle_holder(p_holder, acctctl_clock(p_now));
    END $$""",
    f"""CREATE FUNCTION acctctl_submit_change(p_subscription text, p_to text,
            p_replace_all boolean, p_propagation interval, p_as text DEFAULT NULL,
            p_now timestamptz DEFAULT NULL,
            OUT o_id text, OUT o_submitted_at timestamptz, OUT o_effective_at timestamptz)
        LANGUAGE plpgsql SECURITY DEFINER AS $$
    DECLARE
        v_user acctctl_users;
        v_at timestamptz;
        v_sub acctctl_subscriptions;
        v_contract acctctl_contracts;
        v_holder text;
        v_manager text;
        v_term_end date;
        v_auto_renew boolean;
        v_agreement text;
        v_partners text[];
        v_partner acctctl_partners;
        v_pending acctctl_changes;
        v_codes text[];
        v_number bigint;
    BEGIN
        {LOCK}
        v_user := acctctl_actor(p_as);
        v_at := acctctl_clock(p_now);
        IF p_propagation IS NULL OR p_propagation < interval '0'
           OR p_propagation > interval '30 days' THEN
            RAISE EXCEPTION 'the propagation delay must be between 0 and 30 days'
                USING ERRCODE = 'ACT02', DETAIL = 'propagation';
        END IF;
        {_FIND_SUBSCRIPTION}
        v_holder := coalesce(v_sub.contract, v_sub.id);
        PERFORM acctctl_lock_holder(v_holder);
        PERFORM acctctl_settle_holder(v_holder, v_at);
        IF v_sub.contract IS NOT NULL THEN
            SELECT * INTO v_contract FROM acctctl_contracts WHERE number = v_sub.contract;
            v_manager := v_contract.manager;
            v_term_end := v_contract.term_end;
            v_auto_renew := v_contract.auto_renew;
            v_agreement := v_contract.agreement;
            v_partners := v_contract.partners;
        ELSE
            SELECT * INTO v_sub FROM acctctl_subscriptions WHERE id = p_subscription;
            v_manager := v_sub.manager;
            v_term_end := v_sub.term_end;
            v_auto_renew := v_sub.auto_renew;
            v_partners := v_sub.partners;
        END IF;
        SELECT * INTO v_partner FROM acctctl_partners WHERE csn = p_to;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no partner %', p_to USING ERRCODE = 'ACT04', DETAIL = 'partner';
        END IF;
        SELECT * INTO v_pending FROM acctctl_changes
            WHERE holder = v_holder AND status = 'pending'
            ORDER BY submitted_at DESC, id DESC LIMIT 1;
        v_codes := acctctl_eligibility((v_at AT TIME ZONE 'UTC')::date, v_sub.contract,
            v_manager, v_term_end, v_auto_renew, v_agreement, v_partners,
            coalesce(v_user.email, p_as, session_user::text), v_user.email, v_user.role,
            v_pending.to_partner, p_to, v_partner.active, p_replace_all);
        IF NOT (v_codes && ARRAY['unknown-user', 'not-contract-manager'])
           AND (v_pending.to_partner = p_to
                OR (v_pending.id IS NULL AND v_partners = ARRAY[p_to])) THEN
            RAISE EXCEPTION 'nothing to change: % already has or awaits partner %',
                v_holder, p_to USING ERRCODE = 'ACT03', DETAIL = 'unchanged';
        END IF;
        IF cardinality(v_codes) > 0 THEN
            RAISE EXCEPTION 'the rules refuse this change: %', array_to_string(v_codes, ', ')
                USING ERRCODE = 'ACT03', DETAIL = array_to_string(v_codes, ',');
        END IF;
        LOOP
            v_number := nextval('acctctl_change_number');
            o_id := 'CHG-' || CASE WHEN v_number < 1000000 THEN lpad(v_number::text, 6, '0')
                                   ELSE v_number::text END;
            EXIT WHEN NOT EXISTS (SELECT FROM acctctl_changes WHERE id = o_id);
        END LOOP;
        o_submitted_at := v_at;
        o_effective_at := v_at + p_propagation;
        INSERT INTO acctctl_changes (id, contract, subscription, from_partners, to_partner,
            by_user, submitted_at, effective_at, status)
        VALUES (o_id, v_sub.contract, CASE WHEN v_sub.contract IS NULL THEN v_sub.id END,
            v_partners, p_to, v_user.email, v_at, o_effective_at, 'pending');
        PERFORM acctctl_record('submitted', o_id, v_at, v_user.email);
    END $$""",
    f"""CREATE FUNCTION acctctl_cancel_change(p_change text, p_as text DEFAULT NULL,
            p_now timestamptz DEFAULT NULL) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER AS $$
    DECLARE
        v_user acctctl_users;
        v_at timestamptz;
        v acctctl_changes;
    BEGIN
        {LOCK}
        v_user := acctctl_actor(p_as);
        v_at := acctctl_clock(p_now);
        SELECT * INTO v FROM acctctl_changes WHERE id = p_change;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no change %', p_change USING ERRCODE = 'ACT04', DETAIL = 'change';
        END IF;
        PERFORM acctctl_authorize(v_user, acctctl_lock_holder(v.holder));
        PERFORM acctctl_settle_holder(v.holder, v_at);
        SELECT * INTO v FROM acctctl_changes WHERE id = p_change;
        IF v.status <> 'pending' THEN
            RAISE EXCEPTION 'change % is %: only a pending change can be cancelled',
                p_change, v.status USING ERRCODE = 'ACT03', DETAIL = 'not-pending';
        END IF;
        UPDATE acctctl_changes SET status = 'cancelled' WHERE id = p_change;
        PERFORM acctctl_record('cancelled', p_change, v_at, v_user.email);
    END $$""",
    f"""CREATE FUNCTION acctctl_set_auto_renew(p_subscription text, p_on boolean,
            p_as text DEFAULT NULL, p_now timestamptz DEFAULT NULL) RETURNS boolean
        LANGUAGE plpgsql SECURITY DEFINER AS $$
    DECLARE
        v_user acctctl_users;
        v_sub acctctl_subscriptions;
    BEGIN
        {LOCK}
        v_user := acctctl_actor(p_as);
        PERFORM acctctl_clock(p_now);
        IF p_on IS NULL THEN
            RAISE EXCEPTION 'on or off?' USING ERRCODE = 'ACT02', DETAIL = 'on-off';
        END IF;
        {_FIND_SUBSCRIPTION}
        PERFORM acctctl_authorize(v_user,
                                  acctctl_lock_holder(coalesce(v_sub.contract, v_sub.id)));
        IF v_sub.contract IS NOT NULL THEN
            UPDATE acctctl_contracts SET auto_renew = p_on
                WHERE number = v_sub.contract AND auto_renew <> p_on;
        ELSE
            UPDATE acctctl_subscriptions SET auto_renew = p_on
                WHERE id = v_sub.id AND auto_renew <> p_on;
        END IF;
        RETURN FOUND;
    END $$""",
)
