"""Record linkage for Témoin: the same victim on several lists, the same incident in many reports.

Pure Python on Splink (DuckDB by default, Spark optional); no Django.  Entry points::

    from temoin.core.linkage import LinkageSettings, PersonRecord, link_persons
    run = link_persons(records, settings=LinkageSettings())
    run.assignments        # one row per record: list_id, record_id, cluster_id, linked, reason
    run.manifest_json()    # settings + trained Splink model + counts, to store with the run
    review_queue(run)      # pairs ordered by how much a decision would change the result
    capture_histories(run) # who was documented by which lists, by stratum

See ``docs/readme/linkage.md`` for the design.
"""

from temoin.core.linkage.capture import CaptureHistories, capture_histories, capture_history_draws
from temoin.core.linkage.errors import (
    BackendUnavailableError,
    InvalidRecordError,
    InvalidSettingsError,
    LabelError,
    LinkageError,
    MemoryLimitError,
    VariantFileError,
)
from temoin.core.linkage.incidents import IncidentCluster, incident_clusters, link_incidents
from temoin.core.linkage.names import NormalisedName, normalise_name
from temoin.core.linkage.persons import link_persons
from temoin.core.linkage.prepare import UnlinkedRecord
from temoin.core.linkage.records import IncidentRecord, PersonRecord
from temoin.core.linkage.review import FieldEvidence, ReviewItem, review_queue, review_sample
from temoin.core.linkage.run import LinkageRun, ReviewedPair
from temoin.core.linkage.settings import LinkageSettings
from temoin.core.linkage.variants import NameVariants, default_variants, load_variants

__all__ = [
    "BackendUnavailableError",
    "CaptureHistories",
    "FieldEvidence",
    "IncidentCluster",
    "IncidentRecord",
    "InvalidRecordError",
    "InvalidSettingsError",
    "LabelError",
    "LinkageError",
    "MemoryLimitError",
    "LinkageRun",
    "LinkageSettings",
    "NameVariants",
    "NormalisedName",
    "PersonRecord",
    "ReviewItem",
    "ReviewedPair",
    "UnlinkedRecord",
    "VariantFileError",
    "capture_histories",
    "capture_history_draws",
    "default_variants",
    "incident_clusters",
    "link_incidents",
    "link_persons",
    "load_variants",
    "normalise_name",
    "review_queue",
    "review_sample",
]
