# tcp messages (zh). One message per diagnosis; hints select on $lang (python, c, node, …).
