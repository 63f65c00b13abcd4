"""Documents in the official layout, below every domain: one model (:mod:`.model`), one PDF renderer
(WeasyPrint, :mod:`.pdf`), one Word renderer (python-docx, :mod:`.word`), one way to hand them out
(:mod:`.responses`). Domains build a
:class:`~consult.documents.model.Document` from their own data and never touch a file format themselves."""
