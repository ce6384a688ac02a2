"""The Graph seam: one client over msgraph-sdk's request adapter, and the reads and writes idamconf makes."""
