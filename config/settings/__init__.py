"""Django settings for Témoin: ``base`` is shared; ``dev``, ``test`` and ``prod`` specialise it."""
