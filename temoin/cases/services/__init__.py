"""The only place that writes case records. Every write: validated first, atomic, versioned,
indexed for search and audited in the same transaction."""

from temoin.cases.services.acts import (
    act_create,
    act_update,
    claim_add,
    information_add,
    intervention_add,
    involvement_add,
    source_create,
    source_update,
)
from temoin.cases.services.corrections import claim_update, claim_withdraw, involvement_remove
from temoin.cases.services.events import (
    event_assign,
    event_create,
    event_link,
    event_publish,
    event_share,
    event_transition,
    event_unshare,
    event_update,
)
from temoin.cases.services.history import version_revert
from temoin.cases.services.persons import (
    identities_rotate,
    person_create,
    person_identity,
    person_update,
    persons_find_by_name,
    persons_reindex_pending,
)
from temoin.cases.services.vocabulary import actors_load, term_create, vocabularies_load

__all__ = [
    "act_create", "act_update", "actors_load", "claim_add", "claim_update", "claim_withdraw",
    "event_assign", "event_create",
    "event_link", "event_publish", "event_share", "event_transition", "event_unshare",
    "event_update", "identities_rotate", "information_add", "intervention_add", "involvement_add", "involvement_remove",
    "person_create",
    "person_identity", "person_update", "persons_find_by_name", "persons_reindex_pending",
    "source_create", "source_update", "term_create", "version_revert", "vocabularies_load",
]
