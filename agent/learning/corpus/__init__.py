"""The training corpus: real public sources read from local git mirrors, cached outside the repo."""
