"""The agent commands: one class per command, one module per class (the brain; no XMPP).

| module | what |
|---|---|
| `base` | `AgentCommand` (words, argument, help, `run`, `form`), `Context`, `Field` |
| `registry` | finds every `AgentCommand` of the package's modules (pkgutil): the command list |
| `syntax` | the text parser (``/claim``, ``!claim``, Thai words, ``//text``), help, status words |
| `room` | the same commands typed in a centre room with the case first (``!claim <ref>``) |
| `runner` | `Actions`: runs a parsed command for one deployment; status notices |
| `common` | helpers the commands share (find a centre or an agent, history, queue lines) |
| every other module | one command (`claim`, `transfer`, `whoami`…) |

What the commands say is in `bots.catalogue` (`agent.*`, and the `citizen.*` and `room.*`
notices they send), rendered where they are said.

Adding a command is adding one module with one `AgentCommand` subclass (and its test): the
text and room syntax, the help texts and the XEP-0050 node with its form
(`bridge.adhoc`) follow from the class.
"""
