"""Looking at scenarios and datasets: previews, overlays, the HTML report, label statistics and
the rerun viewer export."""
