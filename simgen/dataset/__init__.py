"""A native dataset's folder: its layout, its typed read API, its writer, its life (attempts,
commit, chunks: ``lifecycle``), the ``mapping.json`` of its KITTI exports, its verification.

Importing the package (the read API) loads neither the simulator nor a renderer."""

from simgen.dataset.reader import (
    Dataset,
    DatasetError,
    Frame,
    Variant,
    find_variants,
    open_dataset,
    read_manifest,
)

__all__ = [
    "Dataset",
    "DatasetError",
    "Frame",
    "Variant",
    "find_variants",
    "open_dataset",
    "read_manifest",
]
