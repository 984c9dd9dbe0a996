/* bbmcheck: <linux/errno.h> — the error numbers assembly may return (negated). */
#ifndef __BBM_LINUX_ERRNO_H
#define __BBM_LINUX_ERRNO_H
#define EPERM		1
#define ENOENT		2
#define EINTR		4
#define EIO		5
#define E2BIG		7
#define ENOEXEC		8
#define EAGAIN		11
#define ENOMEM		12
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define ENOSYS		38
#define EOPNOTSUPP	95
#endif
