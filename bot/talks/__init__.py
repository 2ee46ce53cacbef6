"""Logging a talk: the conversational flow (talklog), reading its dates (when), nudging stale drafts."""
