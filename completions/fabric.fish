# fish completion for fabric(1), the wrapper: groups, commands, options in the specification's
# spelling (--number_machines) and dashed (--number-machines), provider ids and machine uuids
# from the state store, files, and the keys of --image, --flavor and --extra. `fabric NAME ...`
# is completed as fabric-NAME. Install in a fish completions directory (make install puts it in
# share/fish/vendor_completions.d).

# --- reading the store (no jq: fabric's own compact JSON lines) ---

function __fabric_json_field -a field -d 'the string field of each JSON line on stdin'
    while read -l line
        set -l match (string match -r -- '"'$field'":"((?:[^"\\\\]|\\\\.)*)"' $line)
        set -q match[2]; or continue
        string replace -ra -- '\\\\(.)' '$1' $match[2]
    end
end

function __fabric_store -d 'fabric-store with the --store of the command line, if it exists'
    set -l tokens (commandline -opc)
    set -l store
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --store
                set -l next (math $i + 1)
                set -q tokens[$next]; and set store --store $tokens[$next]
            case '--store=*'
                set store --store (string replace -- --store= '' $tokens[$i])
        end
    end
    set -l tool
    if command -q fabric-store
        set tool fabric-store
    else if command -q fabric
        set tool fabric store
    else
        return
    end
    # Never create a store by pressing TAB: only read one that exists.
    set -l store_path ($tool path $store 2>/dev/null)
    test -f "$store_path"; or return
    $tool $argv[1] $store $argv[2..-1] 2>/dev/null
end

function __fabric_providers -d 'registered provider ids'
    __fabric_store list providers | __fabric_json_field provider_id
end

# --- the wrapper's command line ---

# The words after `fabric` and its leading --json/--table.
function __fabric_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]; and contains -- $tokens[1] --json --table --verbose
        set -e tokens[1]
    end
    string join \n -- $tokens
end

function __fabric_needs_group
    set -l words (__fabric_words)
    not set -q words[1]
end

# True when the line is `fabric GROUP [COMMAND]`, and no command is typed yet when COMMAND is
# not given.
function __fabric_using -a group command
    set -l words (__fabric_words)
    test "$words[1]" = "$group"; or return 1
    if test -z "$command"
        not set -q words[2]
    else
        test "$words[2]" = "$command"
    end
end

# The positional arguments after `fabric GROUP COMMAND`, one per line.
function __fabric_args
    set -l words (__fabric_words)
    set -e words[1..2]
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '--*=*'
            case '-*'
                contains -- $word $__fabric_valued; and set skip 1
            case '*'
                echo $word
        end
    end
end

# True when the token being completed is positional argument N of `fabric GROUP COMMAND`.
function __fabric_arg -a group command n
    __fabric_using $group $command; or return 1
    set -l tokens (commandline -opc)
    contains -- $tokens[-1] $__fabric_valued; and return 1
    test (count (__fabric_args)) -eq (math $n - 1)
end

function __fabric_machine_uuids -d 'machine uuids of the provider given as the first argument'
    set -l args (__fabric_args)
    set -q args[1]; or return
    __fabric_store list machines -p $args[1] | __fabric_json_field uuid
end

# fabric NAME runs fabric-NAME: complete it as that tool.
function __fabric_delegating
    set -l words (__fabric_words)
    set -q words[1]; or return 1
    not contains -- $words[1] $__fabric_groups help version
end

function __fabric_delegate
    set -l words (__fabric_words)
    set words[1] fabric-$words[1]
    complete -C (string join ' ' -- (string escape -- $words) (commandline -ct))
end

function __fabric_tools -d 'fabric-* programs on PATH'
    for name in (complete -C fabric- | string replace -r '\t.*' '' | string match -r '^fabric-[^.]+$')
        set name (string replace fabric- '' $name)
        contains -- $name $__fabric_groups help version; or echo $name
    end
end

# Registers an option of `fabric GROUP COMMAND` in the specification's spelling and, when that
# differs, dashed: __fabric_option GROUP COMMAND NAME DESCRIPTION [complete's value options...]
function __fabric_option -a group command name description
    set -l names $name (string replace -a _ - -- $name)
    for spelling in (printf '%s\n' $names | sort -u)
        complete -c fabric -n "__fabric_using $group $command" -l $spelling -d $description $argv[5..-1]
    end
end

complete -c fabric -f

# --- groups and global options ---

complete -c fabric -n __fabric_needs_group -l json -d 'print JSON lines'
complete -c fabric -n __fabric_needs_group -l verbose -d 'trace HTTP requests on stderr'
complete -c fabric -n __fabric_needs_group -l table -d 'print an aligned table'
complete -c fabric -n __fabric_needs_group -s h -l help -d 'show the commands and options'
complete -c fabric -n __fabric_needs_group -l version -d 'show the version'
complete -c fabric -n __fabric_needs_group -a help -d 'show the commands and options'
complete -c fabric -n __fabric_needs_group -a version -d 'show the version'
complete -c fabric -n __fabric_needs_group -a '(__fabric_tools)' -d 'fabric tool'
complete -c fabric -n __fabric_delegating -a '(__fabric_delegate)'

# --- generated by completions/regenerate from the table in bin/fabric: do not edit ---
set -g __fabric_groups provider machine snapshot job

complete -c fabric -n __fabric_needs_group -a provider -d 'register, unregister and list providers'
complete -c fabric -n __fabric_needs_group -a machine -d 'create, destroy and list machines'
complete -c fabric -n __fabric_needs_group -a snapshot -d 'create and destroy snapshots'
complete -c fabric -n __fabric_needs_group -a job -d 'follow the background jobs of --synchronous=false'
complete -c fabric -n '__fabric_using provider' -a register -d 'register a provider'
complete -c fabric -n '__fabric_using provider' -a unregister -d 'remove a provider'
complete -c fabric -n '__fabric_using provider' -a list -d 'list the providers'
complete -c fabric -n '__fabric_using machine' -a create -d 'create machines'
complete -c fabric -n '__fabric_using machine' -a destroy -d 'destroy machines and their snapshots'
complete -c fabric -n '__fabric_using machine' -a wait -d 'wait until machines are ready'
complete -c fabric -n '__fabric_using machine' -a list -d 'list the machines of a provider'
complete -c fabric -n '__fabric_using machine' -a scale -d 'grow or shrink a named group to N machines'
complete -c fabric -n '__fabric_using machine' -a protect -d 'protect machines from machine scale'
complete -c fabric -n '__fabric_using machine' -a unprotect -d 'let machine scale destroy machines again'
complete -c fabric -n '__fabric_using snapshot' -a create -d 'snapshot a machine'
complete -c fabric -n '__fabric_using snapshot' -a destroy -d 'destroy the snapshots of a machine'
complete -c fabric -n '__fabric_using job' -a list -d 'list the background jobs'
complete -c fabric -n '__fabric_using job' -a show -d 'show a job, its command\'s output and stderr'
complete -c fabric -n '__fabric_using job' -a wait -d 'wait until a job ends, and exit as its command did'
complete -c fabric -n '__fabric_using job' -a cancel -d 'stop a running job; its command removes what it made'

# The options that take a value, in both spellings.
set -g __fabric_valued --address --availability-zone --availability_zone --block-device --block_device --default-flavor --default-image --default_flavor --default_image --extra --file --files --flavor --group --image --key-name --key_name --meta --mysql-password-file --mysql-user --mysql_password_file --mysql_user --name --number-machines --number_machines --password-env --password-file --password_env --password_file --private-network --private-nics --private_network --private_nics --provider-id --provider-type --provider_id --provider_type --public-network --public-nics --public_network --public_nics --ready --scheduler-hints --scheduler_hints --security-groups --security_groups --state --store --store-password-file --store_password_file --swap --timeout --to --until --userdata

complete -c fabric -n '__fabric_arg provider unregister 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine create 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine destroy 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine destroy 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg machine wait 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine wait 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg machine list 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine scale 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine protect 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine protect 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg machine unprotect 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg machine unprotect 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg snapshot create 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg snapshot create 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'
complete -c fabric -n '__fabric_arg snapshot destroy 1' -a '(__fabric_providers)' -d 'provider id'
complete -c fabric -n '__fabric_arg snapshot destroy 2' -a '(__fabric_machine_uuids)' -d 'machine uuid'

__fabric_option provider register provider_type 'the kind of cloud, by default OPENSTACK' -x -a 'OPENSTACK openstack AMAZON amazon ec2 NULLPROVIDER null'
__fabric_option provider register default_image 'image booted when machine create gets no --image' -x
__fabric_option provider register default_flavor 'flavor used when machine create gets no --flavor' -x
__fabric_option provider register extra 'a setting of the provider type' -x -a 'region= interface= user_domain= project_domain= auth_type= cacert= insecure= timeout= connect_timeout= compute_microversion= delete_timeout= network= config_drive= ready= catalog_ttl= image_owners= snapshot_reboot= max_attempts= build_seconds= snapshot_seconds= latency_ms= fail_create= fail_machine= fail_snapshot= fail_public_address= fail_destroy= availability_zones= quota= cloud_init_seconds= fail_cloud_init= service_seconds= address_pool='
__fabric_option provider register password-file 'read the password from FILE\'s first line (with 4 arguments)' -r -F
__fabric_option provider register password-stdin 'read the password from standard input'
__fabric_option provider register password-env 'take the password from environment variable VAR' -x -a '(set -nx)'
__fabric_option provider register from-env 'take the URL, user, password, tenant and settings from the OS_* variables of a sourced openrc file'
__fabric_option provider register store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option provider register store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option provider register json 'print JSON lines'
__fabric_option provider register table 'print an aligned table'
__fabric_option provider register synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option provider unregister force 'unregister although the cloud still holds machines fabric made for the provider, and say which stay'
__fabric_option provider unregister store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option provider unregister store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option provider unregister json 'print JSON lines'
__fabric_option provider unregister table 'print an aligned table'
__fabric_option provider unregister synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option provider list provider_id 'only this provider' -x -a '(__fabric_providers)'
__fabric_option provider list store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option provider list store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option provider list json 'print JSON lines'
__fabric_option provider list table 'print an aligned table'
__fabric_option provider list synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option machine create image 'an image property to match (name, id, min_disk, min_ram, ...)' -x -a 'name= id= min_disk= min_ram= mindisk= minram= status= visibility= image_type= os_distro= os_version= mysql_version= fabric_machine_uuid='
__fabric_option machine create flavor 'a flavor property to match (name, id, vcpus, ram, disk, swap)' -x -a 'name= id= vcpus= ram= disk= swap= ephemeral= rxtx_factor='
__fabric_option machine create number_machines 'how many machines (default 1)' -x
__fabric_option machine create group 'put the machines in the named group, which keeps this create\'s options for machine scale (default: a group of their own)' -x
__fabric_option machine create availability_zone 'the availability zone' -x
__fabric_option machine create key_name 'a key pair stored in the cloud, for SSH' -x
__fabric_option machine create security_groups 'security groups, comma-separated' -x
__fabric_option machine create private_network 'the private network' -x
__fabric_option machine create public_network 'a public network to take an address from' -x
__fabric_option machine create userdata 'a cloud-init user-data file' -r -F
__fabric_option machine create swap 'a swap device of this size, in MB' -x
__fabric_option machine create block_device 'a block device, dev=id:type:size:delete-on-terminate' -x
__fabric_option machine create scheduler_hints 'a scheduler hint' -x
__fabric_option machine create private_nics 'a private NIC, net-id=ID[,v4-fixed-ip=IP] or port-id=ID' -x -a 'net-id= port-id='
__fabric_option machine create public_nics 'a public NIC, net-id=ID or port-id=ID' -x -a 'net-id= port-id='
__fabric_option machine create meta 'metadata for each machine' -x
__fabric_option machine create files 'a file to inject' -r -F
__fabric_option machine create config_drive 'attach a configuration drive'
__fabric_option machine create skip_store 'do not record the machines in the store'
__fabric_option machine create wait_spawning 'wait until every machine is ready: the stages of --ready, else of the provider\'s ready setting (default active)'
__fabric_option machine create ready 'what ready means: stages in order of active, address, port:N, cloud-init, mysql[:PORT]' -x
__fabric_option machine create address 'the address port and mysql stages connect to: auto (public, else private), public or private' -x -a 'auto public private'
__fabric_option machine create mysql_user 'with a mysql stage, log in as NAME and run SELECT 1' -x
__fabric_option machine create mysql_password_file 'the MySQL password of --mysql_user, this file\'s first line' -r -F
__fabric_option machine create mysql_tls 'refuse the MySQL login without TLS (MySQL 8 caching_sha2_password users need TLS for a first login)'
__fabric_option machine create timeout 'how long to wait (default 600)' -x
__fabric_option machine create dry_run 'print what would be asked of the cloud'
__fabric_option machine create check 'check every option and the provider, then exit'
__fabric_option machine create file 'a file to inject' -r -F
__fabric_option machine create store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine create store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option machine create json 'print JSON lines'
__fabric_option machine create table 'print an aligned table'
__fabric_option machine create synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option machine destroy force 'forget the machine even if the cloud cannot destroy it'
__fabric_option machine destroy skip_store 'destroy a machine the store does not know'
__fabric_option machine destroy store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine destroy store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option machine destroy json 'print JSON lines'
__fabric_option machine destroy table 'print an aligned table'
__fabric_option machine destroy synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option machine wait until 'the stages, in order of active, address, port:N, cloud-init, mysql[:PORT]' -x
__fabric_option machine wait address 'the address port and mysql stages connect to: auto (public, else private), public or private' -x -a 'auto public private'
__fabric_option machine wait mysql_user 'with a mysql stage, log in as NAME and run SELECT 1' -x
__fabric_option machine wait mysql_password_file 'the MySQL password of --mysql_user, this file\'s first line' -r -F
__fabric_option machine wait mysql_tls 'refuse the MySQL login without TLS (MySQL 8 caching_sha2_password users need TLS for a first login)'
__fabric_option machine wait timeout 'how long to wait (default 600)' -x
__fabric_option machine wait skip_store 'wait for machines the store does not know, and record nothing'
__fabric_option machine wait store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine wait store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option machine wait json 'print JSON lines'
__fabric_option machine wait table 'print an aligned table'
__fabric_option machine wait synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option machine list skip_store 'list what the provider reports, not the store'
__fabric_option machine list group 'only the machines of this group' -x
__fabric_option machine list refresh 'ask the provider for the machines\' state now and record it'
__fabric_option machine list store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine list store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option machine list json 'print JSON lines'
__fabric_option machine list table 'print an aligned table'
__fabric_option machine list synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option machine scale to 'how many live machines the group should have' -x
__fabric_option machine scale newest_first 'shrink by removing the newest machines first'
__fabric_option machine scale replace_failed 'destroy the members in ERROR and create new ones in their place'
__fabric_option machine scale timeout 'how long to wait for another scale of the group, and for the machines (default 600)' -x
__fabric_option machine scale store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine scale store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option machine scale json 'print JSON lines'
__fabric_option machine scale table 'print an aligned table'
__fabric_option machine scale synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option machine protect store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine protect store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option machine protect json 'print JSON lines'
__fabric_option machine protect table 'print an aligned table'
__fabric_option machine protect synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option machine unprotect store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option machine unprotect store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option machine unprotect json 'print JSON lines'
__fabric_option machine unprotect table 'print an aligned table'
__fabric_option machine unprotect synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option snapshot create wait_spawning 'wait until the snapshot is active'
__fabric_option snapshot create timeout 'how long to wait (default 600)' -x
__fabric_option snapshot create skip_store 'snapshot a machine the store does not know'
__fabric_option snapshot create name 'the snapshot\'s name' -x
__fabric_option snapshot create store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option snapshot create store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option snapshot create json 'print JSON lines'
__fabric_option snapshot create table 'print an aligned table'
__fabric_option snapshot create synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option snapshot destroy skip_store 'act on a machine the store does not know'
__fabric_option snapshot destroy force 'forget snapshots the cloud no longer has'
__fabric_option snapshot destroy store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option snapshot destroy store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option snapshot destroy json 'print JSON lines'
__fabric_option snapshot destroy table 'print an aligned table'
__fabric_option snapshot destroy synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option job list state 'only jobs in this state: running, succeeded, failed, cancelled or lost' -x
__fabric_option job list store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option job list store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option job list json 'print JSON lines'
__fabric_option job list table 'print an aligned table'
__fabric_option job list synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option job show store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option job show store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option job show json 'print JSON lines'
__fabric_option job show table 'print an aligned table'
__fabric_option job show synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option job wait timeout 'give up after this many seconds (TimeoutError)' -x
__fabric_option job wait store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option job wait store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option job wait json 'print JSON lines'
__fabric_option job wait table 'print an aligned table'
__fabric_option job wait synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
__fabric_option job cancel timeout 'give up waiting for the clean-up after this many seconds (TimeoutError)' -x
__fabric_option job cancel store 'the state store, a SQLite file or mysql://USER@HOST[:PORT]/DATABASE' -r -F
__fabric_option job cancel store_password_file 'a mysql:// store\'s password file' -r -F
__fabric_option job cancel json 'print JSON lines'
__fabric_option job cancel table 'print an aligned table'
__fabric_option job cancel synchronous '=false (or no, 0): run the command as a background job and print its record at once (see: fabric job)'
# --- end of generated ---
