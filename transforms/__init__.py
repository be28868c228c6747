"""copydesk's Beam transforms, one module per stage.

Where Beam is already imported (a Beam worker process unpickling our DoFns), importing this
package also makes Beam's per-DoFn state check cheap (``dofn_specs``); ``pipelines.batch``
installs it for the process that builds the pipeline.
Modules that need no Beam (``ner``, ``decoding``) stay importable without it.
"""

import sys

if "apache_beam" in sys.modules:
    from transforms.runtime import dofn_specs

    dofn_specs.install()
