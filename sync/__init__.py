"""The store-and-forward sync agent, the privacy allow-list and the reference central server."""
