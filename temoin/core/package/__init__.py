"""Court packages: BagIt bags with originals, custody entries, proofs, checkpoints, verifier."""

from temoin.core.package.anchors import CheckpointAnchor
from temoin.core.package.builder import ExportItem, PackageResult, WitnessClient, build_package
from temoin.core.package.errors import PackageError

__all__ = ["CheckpointAnchor", "ExportItem", "PackageError", "PackageResult", "WitnessClient", "build_package"]
