"""Documents in and out, for prediction and training alike.

- ``input_source``: opening a file or stdin, gzip, refusing binary data;
- ``decoding``: UTF-8 decoding that counts or refuses invalid bytes, lines with their breaks;
- ``records``: JSON records and the document each holds (``lines``, ``text`` or ``html``);
- ``reading``: an input as a stream of documents (text, JSON Lines, JSON, HTML);
- ``html_lines``: an HTML page as block lines with their structure;
- ``writing`` and ``atomic_file``: output to stdout or to a file replaced only when complete.
"""
