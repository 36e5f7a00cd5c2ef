"""Learned judgement: small calibrated heads over structured features and the text embedding.

Inference needs numpy only (plus the embedder the knowledge base already ships); training
(`triage train`) needs the optional `train` extra (scikit-learn).
"""
