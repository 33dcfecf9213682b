"""HJ 212 (2005 and 2017 editions): the CRC, a stream framer, the packet parser, the encoder,
PNUM/PNO reassembly and the `huying hj212 check` report.

Pure Python and free of Django (only the check command's glue imports it) so the ingest hot
path and the benchmarks can use it without setting Django up.
"""
