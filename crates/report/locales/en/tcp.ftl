# tcp messages (en). One message per diagnosis; hints select on $lang (python, c, node, …).
