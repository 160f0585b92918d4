"""Text commands (/pedir, /equipos, /equipo), parsed without any chat platform.

`parser.parse` turns a command and its text into a frozen dataclass or a
`ParseError` with a code; looking up teams and wording replies (Spanish or
English) is the caller's job. `dates` reads due dates such as "para:viernes".
"""
