"""Near-duplicate (syndication) clusters: MinHash LSH keys per article and the cluster each article joins."""
