export { enqueueTask, type Task, type TaskSource } from "./enqueue";
export { afterTaskEnqueued } from "./events";
