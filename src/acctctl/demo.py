"""A sample account (``store init --demo``) that shows every rule of SPEC §3.

Dates are relative to ``today`` so the sample keeps its meaning whenever it is
created: one contract is always eligible, one has always just expired, one always
expires within 90 days. Each contract is there to show one rule:

* 110000000001 — eligible: standard, auto-renew off, one partner, three subscriptions;
* 110000000002 — ``auto-renew``;
* 110000000003 — ``token-flex`` (an EBA using Token Flex);
* 110000000004 — ``expired`` (20 days ago);
* 110000000005 — ``expiring-soon`` (45 days left);
* 110000000006 — ``multiple-partners`` (two partners, eligible otherwise);
* 110000000007 — managed by a secondary admin (eligible otherwise), so the other
  non-primary users meet ``not-contract-manager`` there, and its manager meets it on
  every other contract;
* subscription 72000000010 — ``new-buying-model`` (no contract, its own terms).

"Ancien Revendeur SARL" is inactive (``partner-inactive``); "Bureau Numérique
Paris" is active and named by a notice received six days ago, as the vendor's
e-mail at step 1 of the procedure.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from acctctl.domain import (
    Account,
    AccountDocument,
    Contract,
    Notice,
    Partner,
    Subscription,
    User,
)

CLAIRE = "claire@dupont.example"
MARC = "marc@dupont.example"
JULIE = "julie@dupont.example"
THOMAS = "thomas@dupont.example"

CADPRO = "5550001111"
BUREAU_NUMERIQUE = "5550002222"
ANCIEN_REVENDEUR = "5550003333"
BIM_NANTES = "5550004444"
ALPES_CONCEPTION = "5550005555"

ELIGIBLE_CONTRACT = "110000000001"


def demo_document(today: date, now: datetime) -> AccountDocument:
    """The sample account as of ``today``; ``now`` is the moment it is created.

    The sample holds no changes, so ``now`` is not used yet; it is part of the
    signature so a sample with pending changes can be added without touching callers.
    """

    def days(n: int) -> date:
        return today + timedelta(days=n)

    users = [
        User(CLAIRE, "Claire Dupont", "primary_admin"),
        User(MARC, "Marc Lefèvre", "secondary_admin"),
        User(JULIE, "Julie Martin", "user"),
        User(THOMAS, "Thomas Bernard", "secondary_admin"),
    ]
    partners = [
        Partner(CADPRO, "CADpro Lyon", "Lyon", "FR", "ventes@cadpro.example", True),
        Partner(
            BUREAU_NUMERIQUE,
            "Bureau Numérique Paris",
            "Paris",
            "FR",
            "contact@bureau-numerique.example",
            True,
        ),
        Partner(
            ANCIEN_REVENDEUR,
            "Ancien Revendeur SARL",
            "Marseille",
            "FR",
            "contact@ancien-revendeur.example",
            False,
        ),
        Partner(
            BIM_NANTES, "Solutions BIM Nantes", "Nantes", "FR", "bonjour@bim-nantes.example", True
        ),
        Partner(
            ALPES_CONCEPTION,
            "Alpes Conception Grenoble",
            "Grenoble",
            "FR",
            "ventes@alpes-conception.example",
            True,
        ),
    ]
    contracts = [
        Contract(ELIGIBLE_CONTRACT, CLAIRE, days(400), False, "standard", (CADPRO,)),
        Contract("110000000002", CLAIRE, days(300), True, "standard", (CADPRO,)),
        Contract("110000000003", CLAIRE, days(500), False, "eba-token-flex", (BIM_NANTES,)),
        Contract("110000000004", CLAIRE, days(-20), False, "standard", (CADPRO,)),
        Contract("110000000005", CLAIRE, days(45), False, "standard", (ALPES_CONCEPTION,)),
        Contract("110000000006", CLAIRE, days(365), False, "eba", (CADPRO, BIM_NANTES)),
        Contract("110000000007", THOMAS, days(420), False, "standard", (ALPES_CONCEPTION,)),
    ]
    subscriptions = [
        Subscription("72000000001", "AutoCAD", 10, "standard", ELIGIBLE_CONTRACT),
        Subscription("72000000002", "Revit", 5, "premium", ELIGIBLE_CONTRACT),
        Subscription("72000000003", "Civil 3D", 3, "standard", ELIGIBLE_CONTRACT),
        Subscription("72000000004", "Inventor Professional", 4, "premium", "110000000002"),
        Subscription(
            "72000000005",
            "Architecture, Engineering & Construction Collection",
            250,
            "enterprise",
            "110000000003",
        ),
        Subscription("72000000006", "3ds Max", 2, "standard", "110000000004"),
        Subscription("72000000007", "Maya", 2, "premium", "110000000005"),
        Subscription("72000000008", "Navisworks Manage", 6, "enterprise", "110000000006"),
        Subscription("72000000009", "Vault Professional", 8, "premium", "110000000007"),
        Subscription(
            "72000000010",
            "Fusion",
            2,
            "standard",
            None,
            manager=CLAIRE,
            term_end=days(200),
            auto_renew=False,
            partners=(CADPRO,),
        ),
    ]
    notices = [Notice(days(-6), BUREAU_NUMERIQUE, "Your new Autodesk partner")]
    return AccountDocument(
        account=Account("5100000001", "Atelier Dupont"),
        users=users,
        partners=partners,
        contracts=contracts,
        subscriptions=subscriptions,
        notices=notices,
        changes=[],
    )
