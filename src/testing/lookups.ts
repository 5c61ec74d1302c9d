/**
 * A test name server's own lookups over the wire: what a RocketMQ client
 * asks (GET_ROUTEINFO_BY_TOPIC, GET_BROKER_CLUSTER_INFO, …) on one loopback
 * connection, opened on the first lookup and reopened when it was lost.
 * @module
 */
import { NamesrvResponseError } from './errors.js';
import {
  RemotingClient, RemotingConnectionError, RequestCode, ResponseCode,
  type ClusterInfo, type RemotingCommand, type TopicList, type TopicRouteData,
} from './deps.js';

/** One client connection to a test name server, for its lookups. */
export class NamesrvLookups {
  readonly #port: number;
  #client: Promise<RemotingClient> | null = null;
  #closed = false;

  constructor(port: number) {
    this.#port = port;
  }

  /** The route a client gets for `topic` (GET_ROUTEINFO_BY_TOPIC, 105), or null when the name server knows no such topic (17). */
  async route(topic: string): Promise<TopicRouteData | null> {
    const response = await this.#invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) return null;
    return this.#body<TopicRouteData>(response, 'GET_ROUTEINFO_BY_TOPIC');
  }

  /** Clusters and broker groups as `mqadmin clusterList` gets them (GET_BROKER_CLUSTER_INFO, 106). */
  async clusterInfo(): Promise<ClusterInfo> {
    return this.#body<ClusterInfo>(await this.#invoke(RequestCode.GET_BROKER_CLUSTER_INFO, {}), 'GET_BROKER_CLUSTER_INFO');
  }

  /** Every topic name (GET_ALL_TOPIC_LIST_FROM_NAMESERVER, 206), sorted. */
  async topics(): Promise<string[]> {
    const list = this.#body<TopicList>(await this.#invoke(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, {}), 'GET_ALL_TOPIC_LIST_FROM_NAMESERVER');
    return [...list.topicList].sort();
  }

  /** Closes the connection; later lookups fail. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = await this.#client?.catch(() => null);
    this.#client = null;
    await client?.close();
  }

  async #invoke(code: number, extFields: Record<string, string>): Promise<RemotingCommand> {
    if (this.#closed) throw new RemotingConnectionError('the test name server is closed');
    let client = await (this.#client ??= RemotingClient.connect(this.#port));
    if (!client.connected) {
      this.#client = RemotingClient.connect(this.#port);
      client = await this.#client;
    }
    return client.invoke(code, extFields);
  }

  #body<T>(response: RemotingCommand, request: string): T {
    if (response.code !== ResponseCode.SUCCESS || response.body === null) {
      throw new NamesrvResponseError(request, response.code, response.remark);
    }
    // The client announces RocketMQ 5.3.3, so brokerId-keyed maps come as standard JSON.
    return JSON.parse(response.body.toString('utf8')) as T;
  }
}
