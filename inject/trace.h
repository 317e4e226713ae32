/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kfi

#if !defined(KFI_INJECT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KFI_INJECT_TRACE_H

#include <linux/sched.h>
#include <linux/tracepoint.h>

/* One event per injection, from the probe handler that injected. */
TRACE_EVENT(kfi_inject,

	TP_PROTO(const char *rule, const char *func, const char *action,
		 long value),

	TP_ARGS(rule, func, action, value),

	TP_STRUCT__entry(
		__string(rule, rule)
		__string(func, func)
		__field(pid_t, pid)
		__array(char, comm, TASK_COMM_LEN)
		__string(action, action)
		__field(long, value)
	),

	TP_fast_assign(
		__assign_str(rule, rule);
		__assign_str(func, func);
		__entry->pid = current->pid;
		memcpy(__entry->comm, current->comm, TASK_COMM_LEN);
		__assign_str(action, action);
		__entry->value = value;
	),

	TP_printk("rule=%s func=%s pid=%d comm=%s action=%s value=%ld",
		  __get_str(rule), __get_str(func), __entry->pid,
		  __entry->comm, __get_str(action), __entry->value)
);

#endif /* KFI_INJECT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
