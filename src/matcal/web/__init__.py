"""The local web page: ``matcal serve`` (:mod:`.server`), the JSON API it answers
(:mod:`.service`), run in worker processes with a time limit (:mod:`.workers`)."""
