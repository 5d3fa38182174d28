"""The data of a round: vocabularies, profiles, the validated :class:`Round`, the :class:`Policy`, errors."""
